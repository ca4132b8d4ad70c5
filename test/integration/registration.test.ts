/**
 * Prosody consumes the bot's invites through prosody/ (issue 3): in-band
 * registration with a token, mutual contacts, XEP-0379 pre-approval, atomic
 * single use, Prosody's own invites in Redis, and Redis outages.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT, CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { byInviterKey, forUsernameKey, idsKey, pendingKey, recordKey } from "../../src/storage/keys.js";
import { tokenHash, verifyRecord } from "../../src/storage/record.js";
import { createInviteUri, errorOf, executeIq, formValues, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { inviteFromProsodyctl, openIbrSession } from "../helpers/ibr-client.js";
import { uniqueName } from "../helpers/names.js";
import { commandLineInviteArgs } from "../helpers/prosody-server.js";
import { readRawRecord, recordWith, writeRawRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { TEST_SIGNING_KEYS } from "../helpers/signing.js";
import { connectUser, subscribeWithInvite, subscriptionOf, type TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot; // ALLOW_USER_INVITES=false
let openBot: TestBot; // ALLOW_USER_INVITES=true
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  [bot, openBot] = await Promise.all([world.startBot("bot"), world.startBot("bot2", { ALLOW_USER_INVITES: "true" })]);
  [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
});

afterAll(async () => {
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await world?.stop();
});

function inviteUri(user: TestUser, target: TestBot, node: string): Promise<string> {
  return createInviteUri(user, target.jid, node);
}

function register(token: string, username: string) {
  return world.registerWithInvite(token, username);
}

async function login(username: string): Promise<TestUser> {
  const user = await connectUser({
    service: world.servers.service,
    domain: "localhost",
    username,
    password: `${username}-pw`,
  });
  world.users.push(user);
  return user;
}

/** The v2 keys that still name this invite: its record, and each index it is in (none once used). */
async function liveKeysOf(token: string, inviter = "admin@localhost"): Promise<string[]> {
  const hash = tokenHash(token);
  const found: string[] = [];
  if ((await world.redis.exists(recordKey("localhost", hash))) === 1) found.push("rec");
  const indexes = [pendingKey("localhost"), idsKey("localhost"), byInviterKey("localhost", inviter)];
  for (const key of indexes) if ((await world.redis.zScore(key, hash)) !== null) found.push(key);
  return found;
}

describe("an account invite from the bot", () => {
  it("registers a new account in-band, which can then log in", async () => {
    const token = tokenOf(await inviteUri(admin, bot, ACCOUNT));
    expect(await liveKeysOf(token)).toHaveLength(4); // rec, pending, ids, by:admin@localhost
    const session = await openIbrSession({ port: world.servers.prosody.port, domain: "localhost" });
    try {
      expect(session.offersTokenRegistration).toBe(true);
      expect(session.features.getChild("register", "urn:xmpp:ibr-token:0")).toBeDefined();
      expect((await session.preauth(token)).attrs.type).toBe("result");
      expect((await session.register("carol", "carol-pw")).attrs.type).toBe("result");
      // Prosody 0.12 keeps the validated invite on the stream; our claim stops a second account.
      const again = await session.register("carol2", "carol2-pw");
      expect(errorOf(again)).toMatchObject({ condition: "forbidden", text: "This invite has already been used" });
    } finally {
      await session.close();
    }
    const carol = await login("carol");
    expect(carol.bareJid).toBe("carol@localhost");
    expect(await liveKeysOf(token)).toEqual([]);
  });

  it("refuses the same token a second time", async () => {
    const token = tokenOf(await inviteUri(admin, bot, ACCOUNT));
    expect((await register(token, uniqueName("first"))).register.attrs.type).toBe("result");
    const second = await register(token, uniqueName("second"));
    expect(errorOf(second.preauth)).toMatchObject({ condition: "forbidden" });
    expect(errorOf(second.register)).toMatchObject({ condition: "not-acceptable" });
  });

  it("refuses a made-up token", async () => {
    const attempt = await register("MadeUpTokenMadeUpToken00", uniqueName("faker"));
    expect(errorOf(attempt.preauth)).toEqual({
      type: "cancel",
      condition: "forbidden",
      specific: undefined,
      text: "The invite token is invalid or expired",
    });
    expect(attempt.register.attrs.type).toBe("error");
  });

  it("refuses a token whose lifetime has passed", async () => {
    // A bot whose clock runs 59 s behind, with INVITE_TTL=60: its invites expire in about a second.
    const lateBot = await world.startBot("bot3", { INVITE_TTL: "60" }, { clock: () => Date.now() - 59_000 });
    const token = tokenOf(await inviteUri(admin, lateBot, ACCOUNT));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const attempt = await register(token, uniqueName("late"));
    expect(errorOf(attempt.preauth)).toMatchObject({ condition: "forbidden" });
    expect(attempt.register.attrs.type).toBe("error");
    // Its TTL removed the record; the module reads its expiry, not the TTL, so this holds either way.
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
  });
});

describe("a contact invite that allows registration (ALLOW_USER_INVITES=true)", () => {
  it("registers a new account that becomes alice's mutual contact", async () => {
    const uri = await inviteUri(alice, openBot, CONTACT);
    expect(uri).toMatch(/;ibr=y$/u);
    const name = uniqueName("dave");
    expect((await register(tokenOf(uri), name)).register.attrs.type).toBe("result");
    const dave = await login(name);
    expect(subscriptionOf(await dave.roster(), "alice@localhost")).toBe("both");
    expect(subscriptionOf(await alice.roster(), `${name}@localhost`)).toBe("both");
    expect(await liveKeysOf(tokenOf(uri), "alice@localhost")).toEqual([]);
  });
});

describe("XEP-0379: a contact-only invite used by an existing user", () => {
  it("is approved at once, and the inviter asks back", async () => {
    const uri = await inviteUri(alice, bot, CONTACT);
    expect(uri).not.toMatch(/ibr=y/u);
    await subscribeWithInvite(bob, "alice@localhost", tokenOf(uri));
    await bob.nextPresence({ from: "alice@localhost", type: "subscribed" });
    await bob.nextPresence({ from: "alice@localhost", type: "subscribe" });
    expect(subscriptionOf(await alice.roster(), "bob@localhost")).toBe("from");
    expect(await liveKeysOf(tokenOf(uri), "alice@localhost")).toEqual([]);
  });

  it("falls back to manual approval for a used or unknown token", async () => {
    const name = uniqueName("frank");
    await world.servers.prosody.register(name, "localhost", `${name}-pw`);
    const frank = await login(name);
    await subscribeWithInvite(frank, "alice@localhost", "NoSuchTokenNoSuchToken00");
    // Alice is asked, as for any subscription request; nothing is approved for her.
    await alice.nextPresence({ from: `${name}@localhost`, type: "subscribe" });
    expect(subscriptionOf(await alice.roster(), `${name}@localhost`)).toBeUndefined();
    expect(frank.received.some((s) => s.attrs.from === "alice@localhost" && s.attrs.type === "subscribed")).toBe(false);
  });
});

describe("racing one token", () => {
  it("creates exactly one account when 20 clients register at once", async () => {
    const token = tokenOf(await inviteUri(admin, bot, ACCOUNT));
    const sessions = await Promise.all(
      Array.from({ length: 20 }, () => openIbrSession({ port: world.servers.prosody.port, domain: "localhost" })),
    );
    try {
      const preauths = await Promise.all(sessions.map((s) => s.preauth(token)));
      expect(preauths.filter((p) => p.attrs.type === "result")).toHaveLength(20);
      const names = sessions.map(() => uniqueName("racer"));
      const replies = await Promise.all(sessions.map((s, i) => s.register(names[i] ?? "", "racer-pw")));
      const winners = replies.filter((r) => r.attrs.type === "result");
      expect(winners).toHaveLength(1);
      for (const loser of replies.filter((r) => r.attrs.type === "error")) {
        expect(errorOf(loser)).toMatchObject({ condition: "forbidden", text: "This invite has already been used" });
      }
      // Prosody's internal storage keeps one file per account.
      const accounts = names.filter((n) =>
        existsSync(join(world.servers.prosody.dir, "data", "localhost", "accounts", `${n}.dat`)),
      );
      expect(accounts).toHaveLength(1);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  });
});

describe("invites made by Prosody itself", () => {
  it("prosodyctl mod_invites generate stores in Redis and registers", async () => {
    const output = await world.servers.prosody.prosodyctl(...commandLineInviteArgs("localhost"));
    const { token } = inviteFromProsodyctl(output);
    // Signed with the shared key, so the bot reads it too; stored under the token's hash only.
    const [stored] = await bot.app.store.findById(inviteId(token));
    expect(stored?.record).toMatchObject({ type: "register", jid: "localhost", allow_registration: true });
    const value = await readRawRecord(world.redis, token);
    expect(verifyRecord(TEST_SIGNING_KEYS, "localhost", tokenHash(token), value)).toEqual(stored?.record);
    expect(JSON.stringify(value)).not.toContain(token);
    expect((await register(token, uniqueName("cli"))).register.attrs.type).toBe("result");
  });

  it("Prosody's own ad-hoc command stores in Redis, and the bot's store reads it", async () => {
    const reply = await admin.requestRaw(executeIq("localhost", ACCOUNT));
    const uri = formValues(reply.getChild("command")?.getChild("x")).uri ?? "";
    const token = tokenOf(uri);
    expect(uri).toMatch(/^xmpp:localhost\?register;preauth=/u);
    const [stored] = await bot.app.store.findById(inviteId(token));
    expect(stored?.record).toMatchObject({ type: "register", jid: "localhost", allow_registration: true });
    expect(stored?.record.additional_data?.source).toBe(admin.jid);
    expect((await register(token, uniqueName("native"))).register.attrs.type).toBe("result");
  });
});

describe("Redis unavailable", () => {
  it("refuses registration clearly, keeps routing messages, and recovers", async () => {
    const token = tokenOf(await inviteUri(admin, bot, ACCOUNT));
    const contactToken = tokenOf(await inviteUri(alice, bot, CONTACT));
    const name = uniqueName("gina");
    await world.servers.prosody.register(name, "localhost", `${name}-pw`);
    const gina = await login(name);
    await world.servers.redis.halt();
    try {
      const attempt = await register(token, uniqueName("outage"));
      expect(errorOf(attempt.preauth)).toEqual({
        type: "wait",
        condition: "internal-server-error",
        specific: undefined,
        text: "Invites are unavailable at the moment (the invite store cannot be reached). Please try again in a few minutes.",
      });
      expect(attempt.register.attrs.type).toBe("error");
      await alice.sendChat("bob@localhost", "still there?");
      expect((await bob.nextMessage({ from: "alice@localhost", body: "still there?" })).attrs.type).toBe("chat");
      // XEP-0379 with the store away: alice is asked as usual instead.
      await subscribeWithInvite(gina, "alice@localhost", contactToken);
      await alice.nextPresence({ from: `${name}@localhost`, type: "subscribe" });
      expect(gina.received.some((p) => p.attrs.from === "alice@localhost" && p.attrs.type === "subscribed")).toBe(
        false,
      );
    } finally {
      await world.servers.redis.start();
    }
    // The test Redis comes back empty (no persistence), so the invite is made anew.
    const after = uniqueName("after");
    await eventually(async () => {
      const attempt = await register(tokenOf(await inviteUri(admin, bot, ACCOUNT)), after);
      if (attempt.register.attrs.type !== "result") throw new Error(attempt.preauth.toString());
    }, 10_000);
    expect((await login(after)).bareJid).toBe(`${after}@localhost`);
  });
});

describe("Redis restarted", () => {
  it("serves the first registration after a restart: the module reconnects and retries once", async () => {
    await world.servers.redis.restart(); // the test Redis comes back empty, on the same port
    const token = await writeRawRecord(world.redis, recordWith(), {}).catch(async () => {
      // The tests' own client reconnects by itself; wait for it.
      await eventually(async () => expect(await world.redis.ping()).toBe("PONG"));
      return writeRawRecord(world.redis, recordWith());
    });
    const attempt = await register(token, uniqueName("restarted"));
    expect(attempt.preauth.attrs.type).toBe("result");
    expect(attempt.register.attrs.type).toBe("result");
    // Both modules (the storage driver and mod_invites_redis) share one connection.
    const clients = (await world.redis.clientList()).filter((client) => client.user === "prosody");
    expect(clients).toHaveLength(1);
  });
});

describe("account deletion", () => {
  it("removes the deleted user's pending invites and the reset links for that name, from every index", async () => {
    const name = uniqueName("leaver");
    await world.servers.prosody.register(name, "localhost", `${name}-pw`);
    const leaver = await login(name);
    const token = tokenOf(await inviteUri(leaver, openBot, CONTACT));
    const reset = await bot.app.service.createPasswordResetInvite(
      actorFor("admin@localhost", bot.app.service.policy),
      admin.jid,
      `${name}@localhost`,
    );
    const hashes = [tokenHash(token), tokenHash(reset.invite.token)];
    for (const hash of hashes) expect(await world.redis.zScore(pendingKey("localhost"), hash)).not.toBeNull();
    expect(await world.redis.zCard(byInviterKey("localhost", `${name}@localhost`))).toBe(1);
    expect(await world.redis.zCard(forUsernameKey("localhost", name))).toBe(1);
    await leaver.stop();
    await world.servers.prosody.prosodyctl("deluser", `${name}@localhost`);
    for (const hash of hashes) {
      expect(await world.redis.exists(recordKey("localhost", hash))).toBe(0);
      expect(await world.redis.zScore(pendingKey("localhost"), hash)).toBeNull();
      expect(await world.redis.zScore(idsKey("localhost"), hash)).toBeNull();
      expect(await world.redis.zScore(byInviterKey("localhost", "admin@localhost"), hash)).toBeNull();
    }
    expect(await world.redis.exists(byInviterKey("localhost", `${name}@localhost`))).toBe(0);
    expect(await world.redis.exists(forUsernameKey("localhost", name))).toBe(0);
  });
});
