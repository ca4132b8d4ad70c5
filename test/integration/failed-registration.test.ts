/**
 * A registration that fails after our module claimed the invite gives the use back (docs/prosody.md): Prosody's
 * file storage cannot write an account whose encoded name makes `NAME.dat~` longer than the 255 bytes a file name
 * may have (251 ASCII letters, or 42 × "é", which it writes as "%c3%a9"), so mod_register_ibr answers
 * `cancel`/`feature-not-implemented` "Error saving to storage" after the `user-registering` hook.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { byInviterKey, eventsKey, idsKey, pendingKey, recordKey, usedKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { errorOf, tokenOf } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";

let world: Scenario;
let bot: TestBot;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot");
});

afterAll(async () => {
  await world?.stop();
});

async function accountInvite(maxUses?: number): Promise<string> {
  const { invite } = await bot.app.service.createAccountInvite(
    actorFor("admin@localhost", bot.app.service.policy),
    "admin@localhost/web",
    maxUses === undefined ? {} : { maxUses },
  );
  return tokenOf(invite.uri);
}

/** The record and every index of the invite, as created. */
async function keysOf(token: string): Promise<string[]> {
  const hash = tokenHash(token);
  const found: string[] = [];
  if ((await world.redis.exists(recordKey("localhost", hash))) === 1) found.push("rec");
  for (const key of [pendingKey("localhost"), idsKey("localhost"), byInviterKey("localhost", "admin@localhost")]) {
    if ((await world.redis.zScore(key, hash)) !== null) found.push(key);
  }
  return found;
}

async function usesRecorded(token: string): Promise<number> {
  const entries = await world.redis.xRange(eventsKey("localhost"), "-", "+");
  return entries.filter((entry) => entry.message.invite === inviteId(token)).length;
}

describe("Prosody cannot store the new account", () => {
  for (const [what, name] of [
    ["251 letters", "a".repeat(251)],
    ['42 × "é"', "é".repeat(42)],
  ] as const) {
    it(`gives a single-use invite back (${what}), which then registers another name`, async () => {
      const token = await accountInvite();
      const before = await keysOf(token);
      const failed = await world.registerWithInvite(token, name);
      expect(errorOf(failed.register)).toMatchObject({
        condition: "feature-not-implemented",
        text: "Error saving to storage",
      });
      expect(await keysOf(token)).toEqual(before);
      const done = await world.registerWithInvite(token, `saved${name.length}`);
      expect(done.register.attrs.type).toBe("result");
      expect(await usesRecorded(token)).toBe(1);
      expect(await keysOf(token)).toEqual([]);
    });
  }

  it("gives a counted invite's use back: both uses still register", async () => {
    const token = await accountInvite(2);
    const failed = await world.registerWithInvite(token, "b".repeat(300));
    expect(failed.register.attrs.type).toBe("error");
    expect(await world.redis.get(usedKey("localhost", tokenHash(token)))).toBe("0");
    for (const name of ["countedone", "countedtwo"]) {
      expect((await world.registerWithInvite(token, name)).register.attrs.type).toBe("result");
    }
    const third = await world.registerWithInvite(token, "countedthree");
    expect(third.preauth.attrs.type).toBe("error");
  });
});
