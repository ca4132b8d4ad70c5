/**
 * Use notifications and who-invited-whom (issue #4 points 5 and 6), end to
 * end: Prosody records the use in a Redis stream, the bot tells the inviter.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT, CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { eventTag } from "../../src/storage/event-tag.js";
import { eventsKey } from "../../src/storage/keys.js";
import { createInviteUri, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { registerWithToken } from "../helpers/ibr-client.js";
import { uniqueName } from "../helpers/names.js";
import { storedRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { TEST_SIGNING_KEYS } from "../helpers/signing.js";
import type { TestUser } from "../helpers/xmpp-user.js";
import { subscribeWithInvite } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot", { ALLOW_USER_INVITES: "true", NOTIFY_ADMINS: "true" });
  [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

async function tokenFrom(user: TestUser, target: TestBot, node: string): Promise<string> {
  return tokenOf(await createInviteUri(user, target.jid, node));
}

async function registerWith(token: string): Promise<string> {
  const username = uniqueName("newbie");
  const { register } = await registerWithToken({
    port: world.servers.prosody.port,
    domain: "localhost",
    token,
    username,
    password: "pw-123456",
  });
  expect(register.attrs.type).toBe("result");
  return `${username}@localhost`;
}

/**
 * All chat bodies `user` got from the bot about `about`, once the bot is done with the stream: every
 * entry delivered and acknowledged (a notice is sent before its entry is acknowledged, and never after),
 * then one chat round trip, whose answer comes after any notice the bot sent before it.
 */
async function noticesTo(user: TestUser, about: string): Promise<string[]> {
  await eventually(async () => {
    const [group] = (await world.redis.xInfoGroups(eventsKey("localhost"))) as unknown as {
      pending: number;
      lag: number | null;
    }[];
    expect(group).toMatchObject({ pending: 0, lag: 0 });
  });
  await user.sendChat(bot.jid, "help");
  await user.nextMessage({ from: bot.jid, body: /^I create invites for localhost/u }, 10_000);
  return user.received
    .filter((s) => s.is("message") && (s.attrs.from ?? "").startsWith("bot@localhost"))
    .map((s) => s.getChildText("body") ?? "")
    .filter((body) => body.includes(about));
}

describe("use notifications", () => {
  it("tells the inviter once that their invite was used, and the admins", async () => {
    const token = await tokenFrom(alice, bot, CONTACT);
    const invitee = await registerWith(token);
    // The app's own account of it (src/app/events.ts), beside what the people received.
    expect(bot.events.all("invite-created", { matches: ({ id }) => id === inviteId(token) })).toEqual([
      { id: inviteId(token), kind: "contact", type: "roster", by: "alice@localhost" },
    ]);
    const handled = await bot.events.waitFor("use-handled", { matches: ({ event }) => event.invitee === invitee });
    expect(handled.event).toMatchObject({ kind: "registered", inviter: "alice@localhost", invite: inviteId(token) });
    expect([...handled.told].sort()).toEqual(["admin@localhost", "alice@localhost", "boss@other.localhost"]);
    const message = await alice.nextMessage({ from: "bot@localhost", body: new RegExp(invitee, "u") }, 10_000);
    expect(message.getChildText("body")).toBe(`${invitee} accepted your invite and created an account.`);
    expect(await noticesTo(alice, invitee)).toHaveLength(1);
    const admins = await noticesTo(admin, invitee);
    expect(admins).toHaveLength(1);
    expect(admins[0]).toMatch(
      new RegExp(`^${invitee} created an account with an invite from alice@localhost \\([\\w-]{8}\\)\\.$`, "u"),
    );
  });

  it("tells the inviter when an existing user accepts a contact invite (XEP-0379)", async () => {
    await world.servers.prosody.register("cora", "localhost", "cora-password");
    const cora = await world.login("cora@localhost");
    const token = await tokenFrom(bob, bot, CONTACT);
    await subscribeWithInvite(cora, "bob@localhost", token);
    const message = await bob.nextMessage({ from: "bot@localhost", body: /^cora@localhost/u }, 10_000);
    expect(message.getChildText("body")).toBe("cora@localhost accepted your invite and is now your contact.");
  });

  it("delivers exactly once what happened while the bot was offline", async () => {
    const token = await tokenFrom(alice, bot, CONTACT);
    await bot.stop();
    const invitee = await registerWith(token);
    const again = await world.startBot("bot", { ALLOW_USER_INVITES: "true" });
    bot = again;
    await alice.nextMessage(
      { from: "bot@localhost", body: `${invitee} accepted your invite and created an account.` },
      10_000,
    );
    expect(await noticesTo(alice, invitee)).toHaveLength(1);
    // Restarting once more does not repeat it.
    await bot.stop();
    bot = await world.startBot("bot", { ALLOW_USER_INVITES: "true" });
    expect(await noticesTo(alice, invitee)).toHaveLength(1);
  });
});

describe("use events written by someone else (write access to Redis, no signing key)", () => {
  const forged = (invitee: string) => ({
    kind: "registered",
    inviter: "alice@localhost",
    invitee,
    invite: "AbCd1234",
    at: String(Math.floor(Date.now() / 1000)),
  });

  it("are acknowledged without a message when unsigned or signed with another key, and logged once", async () => {
    const unsigned = Array.from({ length: 20 }, (_, i) => forged(`forged${i}@localhost`));
    const otherKey = forged("otherkey@localhost");
    const copied = forged("copied@localhost");
    const entries = [
      ...unsigned,
      { ...otherKey, tag: eventTag({ current: "x".repeat(40), old: [] }, "localhost", otherKey) },
      // A tag made for another host's stream does not verify in this one.
      { ...copied, tag: eventTag(TEST_SIGNING_KEYS, "other.localhost", copied) },
    ];
    for (const entry of entries) await world.redis.xAdd(eventsKey("localhost"), "*", entry);
    expect(await noticesTo(alice, "forged")).toEqual([]);
    expect(await noticesTo(alice, "otherkey@localhost")).toEqual([]);
    expect(await noticesTo(alice, "copied@localhost")).toEqual([]);
    expect(await noticesTo(admin, "forged")).toEqual([]);
    expect(bot.logs.filter((line) => line.includes("signature does not verify"))).toHaveLength(1);
  });

  it("are refused, even signed, when a JID hides format characters (U+202E, U+200B)", async () => {
    for (const invitee of ["evil\u202egro.elpmaxe@localhost", "ali\u200bce@localhost"]) {
      const entry = forged(invitee);
      await world.redis.xAdd(eventsKey("localhost"), "*", {
        ...entry,
        tag: eventTag(TEST_SIGNING_KEYS, "localhost", entry),
      });
    }
    expect(await noticesTo(alice, "evil")).toEqual([]);
    expect(await noticesTo(alice, "ali\u200bce")).toEqual([]);
    expect(bot.logs.filter((line) => line.includes("Ignoring a malformed entry"))).toHaveLength(1);
  });
});

describe("who invited whom", () => {
  it("answers both directions for admins, after the invite is gone", async () => {
    const token = await tokenFrom(admin, bot, ACCOUNT);
    const invitee = await registerWith(token);
    expect(await storedRecord(world.redis, token)).toBeUndefined();
    await admin.sendChat(bot.jid, `who invited ${invitee}`);
    expect((await admin.nextMessage({ from: bot.jid, body: /invited by/u })).getChildText("body")).toBe(
      `${invitee} was invited by admin@localhost.`,
    );
    await admin.sendChat(bot.jid, "invitees of alice@localhost");
    const list =
      (await admin.nextMessage({ from: bot.jid, body: /^alice@localhost invited:/u })).getChildText("body") ?? "";
    expect(list.split("\n").slice(1)).toEqual(["• newbie1@localhost", "• newbie2@localhost"]);
    await admin.sendChat(bot.jid, "invitees of bob@localhost");
    expect((await admin.nextMessage({ from: bot.jid, body: /^bob@localhost invited:/u })).getChildText("body")).toBe(
      "bob@localhost invited:\n• cora@localhost",
    );
  });

  it("refuses users", async () => {
    expect((await alice.ask(bot.jid, "who invited bob@localhost")).getChildText("body")).toBe(
      "Sorry, only administrators can look up who invited whom.",
    );
  });
});

describe("account deletion", () => {
  it("revokes every pending invite the deleted user made", async () => {
    await world.servers.prosody.register("dora", "localhost", "dora-password");
    const dora = await world.login("dora@localhost");
    const token = await tokenFrom(dora, bot, CONTACT);
    await dora.stop();
    await world.servers.prosody.prosodyctl("deluser", "dora@localhost");
    expect(await storedRecord(world.redis, token)).toBeUndefined();
  });
});

describe("a burst of uses for one inviter", () => {
  it("tells at most 10 of them to each recipient, then one message with how many more there were", async () => {
    await bot.stop();
    bot = await world.startBot(
      "bot",
      { ALLOW_USER_INVITES: "true", NOTIFY_ADMINS: "true" },
      { noticeCap: { perWindow: 10, windowMs: 2_000 } },
    );
    const { claims } = bot.app.storage;
    if (claims === undefined) throw new Error("the Redis backend records uses");
    // Signed as the bot signs the uses it records itself (src/storage/redis-claims.ts), as Prosody signs its own.
    for (let i = 0; i < 200; i += 1) {
      await claims.recordUse({
        kind: "registered",
        inviter: "alice@localhost",
        invitee: `burst${i}@localhost`,
        invite: "BuRsT123",
        at: Math.floor(Date.now() / 1000),
        rooms: [],
      });
    }
    const summary = "…and 190 more invites were used just now (too many at once to tell each one).";
    await alice.nextMessage({ from: "bot@localhost", body: summary }, 10_000);
    await admin.nextMessage({ from: "bot@localhost", body: summary }, 10_000);
    expect(await noticesTo(alice, "burst")).toHaveLength(10);
    expect(await noticesTo(admin, "burst")).toHaveLength(10);
  });
});
