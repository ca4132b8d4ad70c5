/** Waiting for Prosody's invite checks to work again after a test made Redis unreachable for it. */
import { expect } from "vitest";
import { eventually } from "./bot.js";
import { openIbrSession } from "./ibr-client.js";
import { recordWith, writeRawRecord } from "./raw-records.js";
import type { Scenario } from "./scenario.js";

/**
 * Resolves once Prosody's breaker lets calls through again and Redis answers them: a new invite's preauth works.
 * A dropped connection opens the breaker for `invites_redis_retry_after`; the next test must not start inside it.
 */
export async function invitesAnswer(world: Scenario): Promise<void> {
  const token = await writeRawRecord(world.redis, recordWith());
  await eventually(async () => {
    const session = await openIbrSession({ port: world.servers.prosody.port, domain: "localhost" });
    try {
      expect((await session.preauth(token)).attrs.type).toBe("result");
    } finally {
      await session.close();
    }
  }, 15_000);
}
