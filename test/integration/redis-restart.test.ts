/**
 * Invites survive a Redis restart (issue 18): Redis as docker-compose.yml runs it — the ACL file exactly as
 * docker/redis/write-acl.sh writes it (default user off) and an append-only file — holds the bot's invites,
 * the uses Prosody recorded (an in-band registration, XEP-0445, and a XEP-0379 pre-approved subscription),
 * who-invited-whom and the use-event stream. After a restart, which replays the append-only file, every key
 * holds what it held before, and Redis logged no refused transaction.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT, CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { createInviteUri, tokenOf } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { invitesAnswer } from "../helpers/invites-healthy.js";
import { uniqueName } from "../helpers/names.js";
import { type RawRedis, type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";
import { subscribeWithInvite } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot", { ALLOW_USER_INVITES: "true" });
  [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

/** Every key with its type, value and absolute expiry, read as the tests' own Redis user. */
async function snapshot(redis: RawRedis): Promise<Record<string, unknown>> {
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ COUNT: 1000 })) keys.push(...batch);
  const entries = await Promise.all(
    keys
      .sort()
      .map(async (key) => [key, { expiresAt: await redis.pExpireTime(key), ...(await contentOf(redis, key)) }]),
  );
  return Object.fromEntries(entries);
}

async function contentOf(redis: RawRedis, key: string): Promise<Record<string, unknown>> {
  const type = await redis.type(key);
  switch (type) {
    case "string":
      return { type, value: await redis.get(key) };
    case "zset":
      return { type, value: await redis.zRangeWithScores(key, 0, -1) };
    case "set":
      return { type, value: (await redis.sMembers(key)).sort() };
    case "hash":
      return { type, value: await redis.hGetAll(key) };
    case "list":
      return { type, value: await redis.lRange(key, 0, -1) };
    case "stream":
      return { type, value: await redis.xRange(key, "-", "+"), groups: await consumerGroups(redis, key) };
    default:
      throw new Error(`unexpected type ${type} of ${key}`);
  }
}

/**
 * The stream's consumer groups: who read up to where, and what is still pending. Without `entries-read`, a
 * counter Redis keeps only to estimate `lag` and does not write to the append-only file (null after a replay).
 */
async function consumerGroups(redis: RawRedis, key: string): Promise<unknown[]> {
  return (await redis.xInfoGroups(key)).map(({ "entries-read": _, ...group }) => group);
}

describe("Redis as deployed, restarted", () => {
  it("keeps every invite, index, relation, quota and use event", async () => {
    // Pending: an admin's account invite and a user's contact invite (which also counts against her quota).
    const pendingAccount = tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT));
    const pendingContact = tokenOf(await createInviteUri(alice, bot.jid, CONTACT));
    // Used: an account invite registers a newcomer (XEP-0445), a contact invite pre-approves bob (XEP-0379).
    const newcomer = uniqueName("newcomer");
    const registered = await world.registerWithInvite(
      tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT)),
      newcomer,
    );
    expect(registered.register.attrs.type).toBe("result");
    const contactToken = tokenOf(await createInviteUri(alice, bot.jid, CONTACT));
    await subscribeWithInvite(bob, "alice@localhost", contactToken);
    await bob.nextPresence({ from: "alice@localhost", type: "subscribed" });
    // The bot has read both use events (and told the inviters) before the picture is taken.
    await admin.nextMessage({ from: bot.jid, body: new RegExp(newcomer, "u") }, 10_000);
    await alice.nextMessage({ from: bot.jid, body: /bob@localhost/u }, 10_000);
    await bot.stop();

    const before = await snapshot(world.redis);
    expect(Object.keys(before).length).toBeGreaterThan(10);
    expect(Object.values(before).map((entry) => (entry as { type: string }).type)).toEqual(
      expect.arrayContaining(["string", "zset", "stream"]),
    );
    await world.servers.redis.restart();
    expect(await snapshot(world.redis)).toEqual(before);
    expect(world.servers.redis.logTail(200)).not.toMatch(/NOPERM|CRITICAL|Bad file format/u);

    // And they still work: the pending account invite registers, the contact invite pre-approves. Prosody's module
    // saw its connection dropped, which opens its breaker for invites_redis_retry_after: wait until it lets calls
    // through again (a registration inside that window is refused, as designed, and the newcomer tries again).
    await invitesAnswer(world);
    const restarted = await world.startBot("bot");
    const later = uniqueName("later");
    expect((await world.registerWithInvite(pendingAccount, later)).register.attrs.type).toBe("result");
    await admin.nextMessage({ from: restarted.jid, body: new RegExp(later, "u") }, 10_000);
    const carol = await world.login("eve@other.localhost");
    await subscribeWithInvite(carol, "alice@localhost", pendingContact);
    await carol.nextPresence({ from: "alice@localhost", type: "subscribed" });
  });
});
