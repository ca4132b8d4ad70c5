/**
 * Editing invites and revoking invite trees against Prosody with our module and Redis (issue 23): the module verifies
 * the record and checks its expiry on every use, so it honours an edited record at once: more uses, an earlier
 * expiry; and a tree revoke leaves no pending invite below the account. Prosody 0.12 and 13 alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor, type Policy } from "../../src/invites/permissions.js";
import { InviteService } from "../../src/invites/service.js";
import { serviceStore } from "../../src/storage/backend.js";
import { byInviterKey, pendingKey, recordKey } from "../../src/storage/keys.js";
import { tokenHash, verifyRecord } from "../../src/storage/record.js";
import type { RedisBackend } from "../../src/storage/redis-backend.js";
import { errorOf, tokenOf } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { eventually } from "../helpers/bot.js";
import { readyRedisBackend } from "../helpers/contract-backends.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { readRawRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { TEST_SIGNING_KEYS } from "../helpers/signing.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const VERSION = prosodyMajorVersion() >= 13 ? "13" : "0.12";
const HOST = "localhost";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;
let backend: RedisBackend;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  // Trees of accounts made a moment ago: the account-age rule (user-invite-policy.test.ts) is off here.
  bot = await world.startBot("bot", {
    ALLOW_USER_INVITES: "true",
    INVITE_MIN_ACCOUNT_AGE: "0",
    INVITE_CHAIN_PACE: "0",
  });
  [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
  backend = await readyRedisBackend(world.servers.redis.botUrl, HOST, 2_000);
});

afterAll(async () => {
  await backend?.stop();
  await world?.stop();
});

async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(bot.jid, body)).getChildText("body") ?? "";
}

async function registers(token: string, username: string): Promise<boolean> {
  const attempt = await world.registerWithInvite(token, username, `${username}-password`);
  if (attempt.register.attrs.type === "result") return true;
  expect(errorOf(attempt.preauth)).toMatchObject({ condition: "forbidden" });
  return false;
}

describe(`editing an invite, Prosody ${VERSION}`, () => {
  it("gives a counted invite more uses, and Prosody takes them", async () => {
    const token = tokenOf(await ask(admin, "invite account 2 uses"));
    const id = inviteId(token);
    expect(await registers(token, "editmore1")).toBe(true);
    const reply = await ask(admin, `invite edit ${id} uses 3`);
    expect(reply).toMatch(
      new RegExp(`^Invite ${id} \\(account invite\\) now expires in 1 week, .*; uses: 2 of 3 left\\.$`, "u"),
    );
    expect(await registers(token, "editmore2")).toBe(true);
    expect(await registers(token, "editmore3")).toBe(true);
    expect(await registers(token, "editmore4")).toBe(false);
    expect(await world.redis.exists(recordKey(HOST, tokenHash(token)))).toBe(0);
  });

  it("writes the new expiry into the record, its TTL and every index at once, signed", async () => {
    const token = tokenOf(await ask(alice, "invite"));
    const id = inviteId(token);
    const hash = tokenHash(token);
    expect(await ask(alice, `invite edit ${id} expires 1h`)).toMatch(
      new RegExp(`^Invite ${id} \\(contact invite, may register\\) now expires in 1 hour, until `, "u"),
    );
    const record = verifyRecord(TEST_SIGNING_KEYS, HOST, hash, await readRawRecord(world.redis, token));
    const expires = record?.expires ?? 0;
    expect(expires - Date.now() / 1000).toBeGreaterThan(3_500);
    expect(expires - Date.now() / 1000).toBeLessThanOrEqual(3_600);
    expect(await world.redis.zScore(pendingKey(HOST), hash)).toBe(expires);
    expect(await world.redis.zScore(byInviterKey(HOST, "alice@localhost"), hash)).toBe(expires);
    const ttl = await world.redis.pTTL(recordKey(HOST, hash));
    expect(Math.abs(Date.now() + ttl - expires * 1000)).toBeLessThan(5_000);
    expect(await ask(bob, `invite edit ${id} expires 1d`)).toBe(
      'Sorry, none of your pending invites has that id. Send "invites" to see them.',
    );
  });

  it("brings the expiry forward: the edited record still registers, and is refused once that moment passed", async () => {
    const token = tokenOf(await ask(admin, "invite account 3 uses"));
    const policy: Policy = {
      domain: HOST,
      admins: new Set(["admin@localhost"]),
      allowUserInvites: true,
      allowContactInvites: true,
    };
    const service = new InviteService({
      store: serviceStore(backend),
      policy,
      ttlSeconds: 604_800,
      invitePage: undefined,
    });
    const expiresAt = Math.floor(Date.now() / 1000) + 6;
    const edited = await service.editInvite(actorFor("admin@localhost", policy), inviteId(token), { expiresAt });
    expect(edited.expires).toBe(expiresAt);
    expect(await registers(token, "editsoon1")).toBe(true);
    // The clock, not a fixed sleep: wait until the new expiry is past.
    await eventually(async () => {
      if (Date.now() < expiresAt * 1000 + 100) throw new Error("not expired yet");
    }, 15_000);
    expect(await registers(token, "editsoon2")).toBe(false);
  });
});

describe(`revoking an invite tree, Prosody ${VERSION}`, () => {
  it("revokes the pending invites of an account and of everyone it brought in, nobody else's", async () => {
    expect(await registers(tokenOf(await ask(alice, "invite")), "treecarol")).toBe(true);
    const carol = await world.login("treecarol@localhost");
    const carols = tokenOf(await ask(carol, "invite"));
    const alices = tokenOf(await ask(alice, "invite"));
    const bobs = tokenOf(await ask(bob, "invite"));
    await eventually(async () => {
      expect(await ask(alice, "tree")).toContain("• treecarol@localhost");
    });
    expect(await ask(carol, "revoke tree alice@localhost")).toBe(
      "Sorry, only administrators can revoke another user's invites.",
    );
    const revoked = await ask(admin, "revoke tree alice@localhost");
    expect(revoked).toMatch(/^Revoked \d+ pending invites of alice@localhost and the 1 account in its invite tree\.$/u);
    for (const token of [carols, alices]) {
      expect(await world.redis.exists(recordKey(HOST, tokenHash(token)))).toBe(0);
    }
    expect(await registers(carols, "treelate")).toBe(false);
    expect(await world.redis.exists(recordKey(HOST, tokenHash(bobs)))).toBe(1);
    expect(await world.redis.zCard(byInviterKey(HOST, "alice@localhost"))).toBe(0);
  });
});
