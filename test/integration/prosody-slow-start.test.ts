/**
 * A Prosody that is slow to start (many hosts and modules, a busy machine) takes invites as soon as it listens.
 * Prosody loads every host and its modules before its event loop runs: a Redis call made while mod_invites_redis
 * loads could not be answered before its timer ran out, so the module took Redis for unreachable, logged so, and
 * refused every invite for `invites_redis_retry_after`. Found in CI: the first registrations of a test file failed
 * with `internal-server-error` on a loaded machine. test/fixtures/prosody/mod_slow_start.lua holds up the start on
 * each host after the invite module, longer than the module's timeout; the breaker, had it opened, would stay open
 * for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openIbrSession } from "../helpers/ibr-client.js";
import { recordWith, writeRawRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";

let world: Scenario;

beforeAll(async () => {
  world = await startScenario({
    inviteModule: true,
    loadInOrder: ["invites_redis", "slow_start"],
    moduleConfig: "slow_start_seconds = 1\ninvites_redis_retry_after = 3600",
  });
});

afterAll(async () => {
  await world?.stop();
});

describe("a Prosody slow to start", () => {
  it("takes an invite as soon as it listens", async () => {
    const token = await writeRawRecord(world.redis, recordWith());
    const session = await openIbrSession({ port: world.servers.prosody.port, domain: "localhost" });
    try {
      expect((await session.preauth(token)).attrs.type).toBe("result");
    } finally {
      await session.close();
    }
  });

  it("never took Redis for unreachable", () => {
    expect(world.servers.prosody.logTail(100_000)).not.toMatch(/Redis unreachable|no reply within/u);
  });
});
