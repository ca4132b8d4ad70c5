/**
 * Redis as a trust boundary, seen from Prosody (issue 8: storage layout v2): records
 * written without the signing key, or changed after signing, register nobody,
 * reset no password, pre-approve no subscription and grant no role (the role in effect,
 * asked of Prosody: test/helpers/effective-role.ts); Prosody's own invites are signed; no token is kept at rest; every use and account deletion keep
 * the indexes exact; counted uses hold on both paths; a store layout the module does
 * not know stops it until it is fixed (layouts 2 and 3 are both fine).
 *
 * Prosody only: "the bot's invites" are written with test/helpers/raw-records.ts (the
 * record codec of src/storage/record.ts), no bot runs here.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT, CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import type { InviteRecord } from "../../src/invites/record.js";
import {
  byInviterKey,
  eventsKey,
  forUsernameKey,
  idsKey,
  joinedKey,
  LAYOUT_VERSION,
  layoutKey,
  pendingKey,
  recordKey,
  usedKey,
} from "../../src/storage/keys.js";
import { signRecord, tokenHash, verifyRecord } from "../../src/storage/record.js";
import { errorOf, executeIq, formValues, tokenOf } from "../helpers/adhoc-client.js";
import { defaultInviteeRoles, effectiveRoles, ROLE_SHELL_MODULES } from "../helpers/effective-role.js";
import { inviteFromProsodyctl, openIbrSession } from "../helpers/ibr-client.js";
import { uniqueName } from "../helpers/names.js";
import { commandLineInviteArgs, prosodyMajorVersion } from "../helpers/prosody-server.js";
import { readRawRecord, recordWith, writeRawRecord } from "../helpers/raw-records.js";
import { type RawRedis, rawRedisClient, type Scenario, startScenario } from "../helpers/scenario.js";
import { startServers, type TestServers } from "../helpers/servers.js";
import { TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEYS } from "../helpers/signing.js";
import { connectUser, subscribeWithInvite } from "../helpers/xmpp-user.js";

/**
 * An admin invite's `additional_data`, as the installed Prosody writes it (`generate --admin` / `--role prosody:admin`)
 * and its mod_invites_register applies it: a set on 0.12, a list with the primary role first on 13 (which takes a set
 * only as a legacy one that needs migrating, granting nothing).
 */
function adminRoles(): { roles: Record<string, true> | string[] } {
  return { roles: prosodyMajorVersion() >= 13 ? ["prosody:admin"] : { "prosody:admin": true } };
}

let world: Scenario;

beforeAll(async () => {
  // The layout is read before every operation here, so that a change shows at once.
  world = await startScenario({
    inviteModule: true,
    moreModules: ROLE_SHELL_MODULES,
    moduleConfig: "invites_redis_layout_check_interval = 0",
  });
});

afterAll(async () => {
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await world?.stop();
});

function register(token: string, username: string, password = `${username}-pw`, on: Scenario = world) {
  return on.registerWithInvite(token, username, password);
}

function dataFile(on: Scenario, store: string, username: string): string {
  return join(on.servers.prosody.dir, "data", "localhost", store, `${username}.dat`);
}

/** The roles Prosody has in effect for username@localhost (undefined: no such account), asked of Prosody itself. */
function rolesOf(username: string, on: Scenario = world): Promise<string[] | undefined> {
  return effectiveRoles(on.servers.prosody, `${username}@localhost`);
}

function hasAccount(username: string, on: Scenario = world): boolean {
  return existsSync(dataFile(on, "accounts", username));
}

/** A correctly signed record whose RECORD text is then changed, as an attacker with write access would. */
async function tamperedToken(base: InviteRecord, change: (record: InviteRecord) => InviteRecord): Promise<string> {
  const token = await writeRawRecord(world.redis, base);
  const value = (await readRawRecord(world.redis, token)) as { record: string; tag: string };
  const changed = change(JSON.parse(value.record) as InviteRecord);
  await writeRawRecord(world.redis, changed, { token, value: { ...value, record: JSON.stringify(changed) } });
  return token;
}

/** admin@localhost still logs in with the password the scenario gave it (connectUser throws otherwise). */
async function expectAdminPasswordUnchanged(): Promise<void> {
  const admin = await connectUser({
    service: world.servers.service,
    domain: "localhost",
    username: "admin",
    password: "admin-password",
  });
  world.users.push(admin);
  expect(admin.bareJid).toBe("admin@localhost");
}

describe("records not signed with the key, or changed since", () => {
  const resetForAdmin = recordWith({ jid: "admin@localhost", additional_data: { allow_reset: "admin" } });
  const forgeries: Record<string, (username: string) => Promise<string>> = {
    "an unsigned admin invite": () =>
      writeRawRecord(world.redis, recordWith(), {
        value: { record: JSON.stringify(recordWith({ additional_data: adminRoles() })) },
      }),
    "an unsigned record with a made-up tag": () =>
      writeRawRecord(world.redis, recordWith(), {
        value: { record: JSON.stringify(recordWith()), tag: "A".repeat(43) },
      }),
    "an admin invite signed with another key": () =>
      writeRawRecord(world.redis, recordWith({ additional_data: adminRoles() }), { signingKey: "x".repeat(40) }),
    "a signed invite with roles added afterwards": () =>
      tamperedToken(recordWith(), (r) => ({ ...r, additional_data: { ...r.additional_data, ...adminRoles() } })),
    "a signed invite for another username, changed to this one": (username) =>
      tamperedToken(recordWith({ jid: "someone@localhost" }), (r) => ({ ...r, jid: `${username}@localhost` })),
    "a signed invite whose XEP-0445 username was changed to this one": (username) =>
      tamperedToken(recordWith({ additional_data: { username: "someone" } }), (r) => ({
        ...r,
        additional_data: { username },
      })),
    "a signed counted invite whose max_uses was raised": () =>
      tamperedToken(recordWith({ reusable: true, additional_data: { max_uses: 2 } }), (r) => ({
        ...r,
        additional_data: { max_uses: 100 },
      })),
    "a signed invite made reusable": () => tamperedToken(recordWith(), (r) => ({ ...r, reusable: true })),
    "a signed invite whose expiry was extended": () =>
      tamperedToken(recordWith(), (r) => ({ ...r, expires: r.expires + 86_400 })),
    "a record with the tag of another invite copied along with it": async () => {
      const other = await writeRawRecord(world.redis, recordWith({ additional_data: adminRoles() }));
      const value = (await readRawRecord(world.redis, other)) as { record: string; tag: string };
      return writeRawRecord(world.redis, recordWith(), { value });
    },
    "a record signed for the same token on another host": () => {
      const token = randomBytes(18).toString("base64url");
      const value = signRecord(TEST_SIGNING_KEYS, "other.localhost", tokenHash(token), recordWith());
      return writeRawRecord(world.redis, recordWith(), { token, value });
    },
  };

  for (const [what, forge] of Object.entries(forgeries)) {
    it(`registers nobody with ${what}`, async () => {
      const username = uniqueName("forger");
      const attempt = await register(await forge(username), username);
      // A record that verified would pass the preauth step: every one of these stops there.
      expect(errorOf(attempt.preauth)).toMatchObject({ condition: "forbidden" });
      expect(attempt.register.attrs.type).toBe("error");
      expect(hasAccount(username)).toBe(false);
      expect(await rolesOf(username)).toBeUndefined();
    });
  }

  it("resets no password with a forged reset link for the admin", async () => {
    const token = await writeRawRecord(world.redis, resetForAdmin, {
      value: { record: JSON.stringify(resetForAdmin) },
    });
    const attempt = await register(token, "admin", "taken-over");
    expect(errorOf(attempt.preauth)).toMatchObject({ condition: "forbidden" });
    await expectAdminPasswordUnchanged();
  });

  it("resets no password with a signed invite changed into a reset link for the admin", async () => {
    const token = await tamperedToken(recordWith({ jid: "nobody@localhost" }), (r) => ({
      ...r,
      jid: "admin@localhost",
      additional_data: { ...r.additional_data, allow_reset: "admin" },
    }));
    const attempt = await register(token, "admin", "taken-over");
    expect(errorOf(attempt.preauth)).toMatchObject({ condition: "forbidden" });
    await expectAdminPasswordUnchanged();
  });

  it("pre-approves no subscription with a forged contact invite: the inviter is asked as usual", async () => {
    const [alice, bob] = await world.loginAll(["alice@localhost", "bob@localhost"]);
    const contact = recordWith({ type: "roster", jid: "alice@localhost", allow_registration: false });
    const token = await writeRawRecord(world.redis, contact, { signingKey: "y".repeat(40) });
    await subscribeWithInvite(bob, "alice@localhost", token);
    await alice.nextPresence({ from: "bob@localhost", type: "subscribe" });
    expect(bob.received.some((p) => p.attrs.from === "alice@localhost" && p.attrs.type === "subscribed")).toBe(false);
    const log = world.servers.prosody.logTail(100_000);
    expect(log).toContain(`Ignoring invite record ${tokenHash(token).slice(0, 8)}: its signature does not verify`);
    expect(log).not.toContain(token);
    // Nothing was used: the forged record is still there, as it was.
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1);
  });
});

describe("signed records", () => {
  it("register with the current key and with an old one still configured (rotation)", async () => {
    for (const signingKey of [undefined, TEST_OLD_SIGNING_KEY]) {
      const token = await writeRawRecord(world.redis, recordWith(), signingKey === undefined ? {} : { signingKey });
      const username = uniqueName("signed");
      expect((await register(token, username)).register.attrs.type).toBe("result");
      expect(hasAccount(username)).toBe(true);
    }
  });

  it("grant no role, even signed, unless invites_redis_trust_roles is set (when not the bot's: no source)", async () => {
    const username = uniqueName("roled");
    // No `source`: not a record of the bot, whose one role our module sets on 13 (roles-on-join.test.ts).
    const token = await writeRawRecord(world.redis, recordWith({ additional_data: adminRoles() }));
    expect((await register(token, username)).register.attrs.type).toBe("result");
    expect(hasAccount(username)).toBe(true);
    // The role any invitee gets (Prosody's own admin invites: prosody-admin.test.ts).
    expect(await rolesOf(username)).toEqual(defaultInviteeRoles());
  });

  it("a signed reset link sets a new password for its account, once, and leaves its index", async () => {
    const name = uniqueName("resetme");
    await world.servers.prosody.register(name, "localhost", "old-password");
    const link = recordWith({ jid: `${name}@localhost`, additional_data: { allow_reset: name } });
    const token = await writeRawRecord(world.redis, link);
    expect(await world.redis.zCard(forUsernameKey("localhost", name))).toBe(1);
    expect((await register(token, name, "new-password")).register.attrs.type).toBe("result");
    const user = await connectUser({
      service: world.servers.service,
      domain: "localhost",
      username: name,
      password: "new-password",
    });
    world.users.push(user);
    expect(await world.redis.exists(forUsernameKey("localhost", name))).toBe(0);
    const again = await register(token, name, "third-password");
    expect(errorOf(again.preauth)).toMatchObject({ condition: "forbidden" });
  });

  it("are what `prosodyctl mod_invites generate` stores, and they register", async () => {
    const { token } = inviteFromProsodyctl(
      await world.servers.prosody.prosodyctl(...commandLineInviteArgs("localhost")),
    );
    const value = await readRawRecord(world.redis, token);
    expect(verifyRecord(TEST_SIGNING_KEYS, "localhost", tokenHash(token), value)).toMatchObject({
      type: "register",
      jid: "localhost",
      allow_registration: true,
    });
    expect(JSON.stringify(value)).not.toContain(token);
    expect((await register(token, uniqueName("cli"))).register.attrs.type).toBe("result");
  });

  it("are what Prosody's ad-hoc command stores, with its source, and they register", async () => {
    const admin = await world.login("admin@localhost");
    const reply = await admin.requestRaw(executeIq("localhost", ACCOUNT));
    const uri = formValues(reply.getChild("command")?.getChild("x")).uri ?? "";
    expect(uri).toMatch(/^xmpp:localhost\?register;preauth=[\w-]{24}$/u);
    const token = tokenOf(uri);
    const value = await readRawRecord(world.redis, token);
    expect(verifyRecord(TEST_SIGNING_KEYS, "localhost", tokenHash(token), value)).toMatchObject({
      type: "register",
      jid: "localhost",
      additional_data: { source: admin.jid },
    });
    expect(JSON.stringify(value)).not.toContain(token);
    expect((await register(token, uniqueName("native"))).register.attrs.type).toBe("result");
  });
});

describe("with invites_redis_trust_roles = true", () => {
  let trusting: Scenario;
  beforeAll(async () => {
    trusting = await startScenario({
      inviteModule: true,
      moreModules: ROLE_SHELL_MODULES,
      moduleConfig: "invites_redis_trust_roles = true",
    });
  });
  afterAll(async () => trusting?.stop());

  it("a signed invite's roles are applied (so the checks above would see roles if there were any)", async () => {
    const token = await writeRawRecord(trusting.redis, recordWith({ additional_data: adminRoles() }));
    expect((await register(token, "trusted", "trusted-pw", trusting)).register.attrs.type).toBe("result");
    // mod_invites_register stores the roles in its user-registered handler, before the IQ result is sent.
    expect(await rolesOf("trusted", trusting)).toEqual(["prosody:admin"]);
  });

  it("a forged record's roles are still refused", async () => {
    const forged = recordWith({ additional_data: adminRoles() });
    const token = await writeRawRecord(trusting.redis, forged, { value: { record: JSON.stringify(forged) } });
    const attempt = await register(token, "untrusted", "untrusted-pw", trusting);
    expect(errorOf(attempt.preauth)).toMatchObject({ condition: "forbidden" });
    expect(await rolesOf("untrusted", trusting)).toBeUndefined();
  });
});

describe("without a usable signing key", () => {
  let keyless: Scenario;
  beforeAll(async () => {
    // A later line of the config wins: the test key is replaced by one that is too short.
    keyless = await startScenario({ inviteModule: true, moduleConfig: 'invites_redis_signing_key = "short"' });
  });
  afterAll(async () => keyless?.stop());

  it("says what to add, and refuses every invite: the bot's, and Prosody's own", async () => {
    expect(keyless.servers.prosody.logTail(100_000)).toMatch(
      /error.*invites_redis_signing_key is too short: add invites_redis_signing_key = "\.\.\." \(at least 32 characters/u,
    );
    const token = await writeRawRecord(keyless.redis, recordWith());
    const attempt = await register(token, "keyless", "keyless-pw", keyless);
    expect(errorOf(attempt.preauth)).toMatchObject({ type: "wait", condition: "internal-server-error" });
    expect(hasAccount("keyless", keyless)).toBe(false);
    await expect(keyless.servers.prosody.prosodyctl(...commandLineInviteArgs("localhost"))).rejects.toThrow();
    // Nothing unsigned was written for it.
    expect(await keyless.redis.zCard(pendingKey("localhost"))).toBe(1);
  });
});

describe("uses", () => {
  /** `count` clients pass the preauth step with one token, then all register at once; the losers' errors are checked. */
  async function race(token: string, count: number, prefix: string): Promise<{ won: number; accounts: number }> {
    const sessions = await Promise.all(
      Array.from({ length: count }, () => openIbrSession({ port: world.servers.prosody.port, domain: "localhost" })),
    );
    try {
      const preauths = await Promise.all(sessions.map((s) => s.preauth(token)));
      expect(preauths.filter((p) => p.attrs.type === "result")).toHaveLength(count);
      const names = sessions.map(() => uniqueName(prefix));
      const replies = await Promise.all(sessions.map((s, i) => s.register(names[i] ?? "", `${prefix}-pw`)));
      for (const loser of replies.filter((r) => r.attrs.type === "error")) {
        expect(errorOf(loser)).toMatchObject({ condition: "forbidden", text: "This invite has already been used" });
      }
      const won = replies.filter((r) => r.attrs.type === "result").length;
      return { won, accounts: names.filter((name) => hasAccount(name)).length };
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  }

  it("20 parallel registrations with one single-use token make exactly one account", async () => {
    const token = await writeRawRecord(world.redis, recordWith());
    expect(await race(token, 20, "racer")).toEqual({ won: 1, accounts: 1 });
  });

  it("a counted contact invite (max_uses 3) gives exactly 3 uses over registration and XEP-0379, then is gone", async () => {
    const [alice, bob, admin] = await world.loginAll(["alice@localhost", "bob@localhost", "admin@localhost"]);
    const token = await writeRawRecord(
      world.redis,
      recordWith({
        type: "roster",
        jid: "alice@localhost",
        allow_registration: true,
        reusable: true,
        additional_data: { source: "alice@localhost/x", max_uses: 3 },
      }),
    );
    const hash = tokenHash(token);
    const first = uniqueName("club");
    expect((await register(token, first)).register.attrs.type).toBe("result");
    expect(await world.redis.get(usedKey("localhost", hash))).toBe("1");
    await subscribeWithInvite(bob, "alice@localhost", token);
    await bob.nextPresence({ from: "alice@localhost", type: "subscribed" });
    expect(await world.redis.get(usedKey("localhost", hash))).toBe("2");
    expect((await register(token, uniqueName("club"))).register.attrs.type).toBe("result");
    // The third use was the last: every key of the invite is gone.
    expect(await world.redis.exists([recordKey("localhost", hash), usedKey("localhost", hash)])).toBe(0);
    expect(await indexesOf(world, hash)).toEqual([]);
    // A fourth subscription is asked for as usual, and a fourth registration is refused.
    await subscribeWithInvite(admin, "alice@localhost", token);
    await alice.nextPresence({ from: "admin@localhost", type: "subscribe" });
    expect(admin.received.some((p) => p.attrs.from === "alice@localhost" && p.attrs.type === "subscribed")).toBe(false);
    const fourth = uniqueName("club");
    const refused = await register(token, fourth);
    expect(errorOf(refused.preauth)).toMatchObject({ condition: "forbidden" });
    expect(hasAccount(fourth)).toBe(false);
  });

  it("a counted invite (max_uses 2) raced by 3 registrations makes exactly 2 accounts", async () => {
    const token = await writeRawRecord(
      world.redis,
      recordWith({ reusable: true, additional_data: { source: "admin@localhost/x", max_uses: 2 } }),
    );
    const hash = tokenHash(token);
    // All three pass the preauth step; uses are taken only when the accounts are made.
    expect(await race(token, 3, "capped")).toEqual({ won: 2, accounts: 2 });
    expect(await world.redis.exists([recordKey("localhost", hash), usedKey("localhost", hash)])).toBe(0);
  });
});

/** Every sorted set of localhost that holds `hash`, by key suffix. */
async function indexesOf(on: Scenario, hash: string): Promise<string[]> {
  const found: string[] = [];
  for (const [name, members] of Object.entries(await sortedSets(on))) if (members.includes(hash)) found.push(name);
  return found.sort();
}

/**
 * `{ suffix: sorted members }` of every sorted set of localhost that indexes invites (pending, ids, by:…, for:…); not
 * `joined`, which names accounts (docs/storage.md, "When accounts joined").
 */
async function sortedSets(on: Scenario): Promise<Record<string, string[]>> {
  const prefix = "invite:{localhost}:";
  const sets: Record<string, string[]> = {};
  for await (const keys of on.redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    for (const key of keys) {
      if (key !== joinedKey("localhost") && (await on.redis.type(key)) === "zset")
        sets[key.slice(prefix.length)] = (await on.redis.zRange(key, 0, -1)).sort();
    }
  }
  return sets;
}

describe("indexes hold exactly the live invites, through creation, every use and account deletion", () => {
  // A world of its own, so that its sorted sets hold only what this test makes.
  let fresh: Scenario;
  const tokens: string[] = [];
  beforeAll(async () => {
    fresh = await startScenario({ inviteModule: true });
  });
  afterAll(async () => fresh?.stop());

  /** The expected sets: each entry names the invites (by letter) in one index. */
  function expectSets(h: Record<string, string>, expected: Record<string, string[]>) {
    return sortedSets(fresh).then((sets) => {
      const want: Record<string, string[]> = {};
      for (const [name, letters] of Object.entries(expected)) want[name] = letters.map((l) => h[l] ?? l).sort();
      expect(sets).toEqual(want);
    });
  }

  it("after Prosody creates, registrations, XEP-0379, a counted invite's last use and deletions", async () => {
    const [admin, alice, bot] = await fresh.loginAll(["admin@localhost", "alice@localhost", "bot@localhost"]);
    const prosodyctl = fresh.servers.prosody.prosodyctl;
    const t: Record<string, string> = {};
    // A: Prosody's command line, no source: only pending and ids.
    t.A = inviteFromProsodyctl(await prosodyctl(...commandLineInviteArgs("localhost"))).token;
    // D: a reset link for bob, from the command line: also for:bob.
    t.D = inviteFromProsodyctl(await prosodyctl(...commandLineInviteArgs("localhost", { reset: "bob" }))).token;
    // B: Prosody's ad-hoc account invite: by:admin (its source).
    t.B = tokenOf(
      formValues((await admin.requestRaw(executeIq("localhost", ACCOUNT))).getChild("command")?.getChild("x")).uri,
    );
    // C: Prosody's ad-hoc contact invite of alice (contact-only): by:alice.
    t.C = tokenOf(
      formValues((await alice.requestRaw(executeIq("localhost", CONTACT))).getChild("command")?.getChild("x")).uri,
    );
    // E: the bot's account invite for the username carl, from admin: by:admin and for:carl.
    t.E = await writeRawRecord(
      fresh.redis,
      recordWith({ jid: "carl@localhost", additional_data: { source: "admin@localhost/bot" } }),
    );
    // F: the bot's counted contact invite of alice that allows registration, 2 uses: by:alice.
    t.F = await writeRawRecord(
      fresh.redis,
      recordWith({
        type: "roster",
        jid: "alice@localhost",
        reusable: true,
        additional_data: { source: "alice@localhost/bot", max_uses: 2 },
      }),
    );
    tokens.push(...Object.values(t));
    const h: Record<string, string> = {};
    for (const [letter, token] of Object.entries(t)) h[letter] = tokenHash(token);
    const all = ["A", "B", "C", "D", "E", "F"];
    await expectSets(h, {
      pending: all,
      ids: all,
      "by:admin@localhost": ["B", "E"],
      "by:alice@localhost": ["C", "F"],
      "for:bob": ["D"],
      "for:carl": ["E"],
    });

    expect((await register(t.A, "anna", "anna-pw", fresh)).register.attrs.type).toBe("result");
    await subscribeWithInvite(bot, "alice@localhost", t.C);
    await bot.nextPresence({ from: "alice@localhost", type: "subscribed" });
    expect((await register(t.E, "carl", "carl-pw", fresh)).register.attrs.type).toBe("result");
    const afterUses = ["B", "D", "F"];
    await expectSets(h, {
      pending: afterUses,
      ids: afterUses,
      "by:admin@localhost": ["B"],
      "by:alice@localhost": ["F"],
      "for:bob": ["D"],
    });

    // F's two uses: one registration, one subscription; the last one removes it everywhere.
    expect((await register(t.F, "fred", "fred-pw", fresh)).register.attrs.type).toBe("result");
    await expectSets(h, {
      pending: afterUses,
      ids: afterUses,
      "by:admin@localhost": ["B"],
      "by:alice@localhost": ["F"],
      "for:bob": ["D"],
    });
    await subscribeWithInvite(admin, "alice@localhost", t.F);
    await admin.nextPresence({ from: "alice@localhost", type: "subscribed" });
    await expectSets(h, { pending: ["B", "D"], ids: ["B", "D"], "by:admin@localhost": ["B"], "for:bob": ["D"] });
    expect(await fresh.redis.exists(usedKey("localhost", h.F ?? ""))).toBe(0);

    // Account deletion: bob's reset link goes (for:bob), then admin's invite (by:admin).
    await prosodyctl("deluser", "bob@localhost");
    await expectSets(h, { pending: ["B"], ids: ["B"], "by:admin@localhost": ["B"] });
    await admin.stop();
    await prosodyctl("deluser", "admin@localhost");
    await expectSets(h, {});
    for (const hash of Object.values(h)) expect(await fresh.redis.exists(recordKey("localhost", hash))).toBe(0);
  });

  it("after that run, no token is anywhere in Redis: not in keys, not in values", async () => {
    expect(tokens).toHaveLength(6);
    const text: string[] = [];
    for await (const keys of fresh.redis.scanIterator({ MATCH: "*", COUNT: 1000 })) {
      for (const key of keys) {
        text.push(key);
        const type = await fresh.redis.type(key);
        if (type === "string") text.push((await fresh.redis.get(key)) ?? "");
        if (type === "zset") text.push(...(await fresh.redis.zRange(key, 0, -1)));
        if (type === "set") text.push(...(await fresh.redis.sMembers(key)));
        if (type === "stream") text.push(JSON.stringify(await fresh.redis.xRange(key, "-", "+")));
      }
    }
    const everything = text.join("\n");
    // The run did leave traces: use events that name the invites by their id.
    expect(await fresh.redis.xLen(eventsKey("localhost"))).toBeGreaterThanOrEqual(5);
    expect(everything).toContain(tokenHash(tokens[0] ?? "").slice(0, 8));
    for (const token of tokens) expect(everything).not.toContain(token);
  });
});

describe("readers of an index prune its expired entries", () => {
  // Prosody 0.12 lists the store (keyval get) only from Lua, so the admin shell calls the driver in the server.
  let shelled: TestServers;
  let redis: RawRedis;
  beforeAll(async () => {
    const modules = ["invites", "invites_register", "invites_adhoc", "invites_redis", "admin_shell"];
    shelled = await startServers({ extraModules: modules }, { inviteModule: true });
    redis = rawRedisClient(shelled.redis.url);
    redis.on("error", () => {});
    await redis.connect();
  });
  afterAll(async () => {
    if (redis?.isOpen) redis.destroy();
    await shelled?.stop();
  });

  /** How many invites the driver's keyval view lists for `user` (nil: the host's account invites). */
  async function listed(user: string): Promise<string> {
    const output = await shelled.prosody.prosodyctl(
      "shell",
      `> local t = require"core.storagemanager".open("localhost", "invite_token", "keyval"):get(${user}); ` +
        "local n = 0; for _ in pairs(t or {}) do n = n + 1 end; return n",
    );
    return /Result: (\S+)/u.exec(output)?.[1] ?? output;
  }

  it("in pending (and ids with it) and in by:, keeping the live ones", async () => {
    const account = recordWith({ additional_data: { source: "alice@localhost/x" } });
    const contact = recordWith({ type: "roster", jid: "alice@localhost", allow_registration: false });
    const live = [await writeRawRecord(redis, account), await writeRawRecord(redis, contact)].map(tokenHash);
    const gone = [await writeRawRecord(redis, account), await writeRawRecord(redis, contact)].map(tokenHash);
    // As if they had expired: the TTL took the records, the index entries carry a past expiry.
    const past = Math.floor(Date.now() / 1000) - 60;
    for (const hash of gone) {
      await redis.del(recordKey("localhost", hash));
      for (const key of [pendingKey("localhost"), byInviterKey("localhost", "alice@localhost")]) {
        await redis.zAdd(key, { score: past, value: hash });
      }
    }
    const members = async (key: string) => (await redis.zRange(key, 0, -1)).sort();
    expect(await members(idsKey("localhost"))).toEqual([...live, ...gone].sort());

    expect(await listed("nil")).toBe("1"); // the account invite; the contact-only one does not register
    expect(await members(pendingKey("localhost"))).toEqual([...live].sort());
    expect(await members(idsKey("localhost"))).toEqual([...live].sort());
    expect(await members(byInviterKey("localhost", "alice@localhost"))).toHaveLength(4);

    expect(await listed('"alice"')).toBe("1"); // alice's contact invite
    expect(await members(byInviterKey("localhost", "alice@localhost"))).toEqual([...live].sort());
  });
});

describe("a store layout the module does not know", () => {
  it("refuses every invite with one clear log line, and works again once the layout is 3", async () => {
    const token = await writeRawRecord(world.redis, recordWith());
    const line = "invite store layout 4 is not supported by this module; update prosody/";
    const before = await world.redis.get(layoutKey("localhost"));
    await world.redis.set(layoutKey("localhost"), "4");
    try {
      for (const attempt of [
        await register(token, uniqueName("layout")),
        await register(token, uniqueName("layout")),
      ]) {
        expect(errorOf(attempt.preauth)).toMatchObject({ type: "wait", condition: "internal-server-error" });
        expect(attempt.register.attrs.type).toBe("error");
      }
      const log = world.servers.prosody.logTail(100_000);
      expect(log.split("\n").filter((l) => l.includes(line) && /\berror\b/u.test(l))).toHaveLength(1);
      await world.redis.set(layoutKey("localhost"), LAYOUT_VERSION);
      // invites_redis_layout_check_interval = 0 here: the next operation reads the layout again.
      expect((await register(token, uniqueName("layout"))).register.attrs.type).toBe("result");
      expect(world.servers.prosody.logTail(100_000)).toContain("Invite store layout is 3 again");
    } finally {
      if (before === null) await world.redis.del(layoutKey("localhost"));
      else await world.redis.set(layoutKey("localhost"), before);
    }
  });

  it("works with layout 3, 2 (the same keys: circles came with 3) and none (a store the bot has not marked yet)", async () => {
    const before = await world.redis.get(layoutKey("localhost"));
    try {
      for (const layout of ["3", "2", undefined]) {
        if (layout === undefined) await world.redis.del(layoutKey("localhost"));
        else await world.redis.set(layoutKey("localhost"), layout);
        const token = await writeRawRecord(world.redis, recordWith());
        const attempt = await register(token, uniqueName("layout"));
        expect(attempt.register.attrs.type, `layout ${layout ?? "absent"}`).toBe("result");
      }
      expect(world.servers.prosody.logTail(100_000)).not.toContain("invite store layout 2 is not supported");
    } finally {
      if (before === null) await world.redis.del(layoutKey("localhost"));
      else await world.redis.set(layoutKey("localhost"), before);
    }
  });
});
