/**
 * What a Prosody admin does with Prosody's own commands against the bot's store (docs/prosody.md, "Prosody 0.12 and
 * 13"): invites with roles and groups, registered through with and without `invites_redis_trust_roles` (the role in
 * effect asked of Prosody: test/helpers/effective-role.ts); password reset links and contact invites from the
 * command line; showing, listing and revoking them; and account deletion by either of prosodyctl's ways.
 *
 * Every test runs on 0.12 and on 13. Where the commands differ, the test says so and runs the installed version's
 * variant: 0.12's `prosodyctl mod_invites generate` and its shell's `invite:create_account` / `create_contact`; 13's
 * `prosodyctl shell invite create_account|create_contact|create_reset|show|list|delete` (commandLineInviteArgs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import { byInviterKey, forUsernameKey, invitedByKey, pendingKey, recordKey } from "../../src/storage/keys.js";
import { tokenHash, verifyRecord } from "../../src/storage/record.js";
import type { TestBot } from "../helpers/bot.js";
import { defaultInviteeRoles, effectiveRoles, ROLE_SHELL_MODULES } from "../helpers/effective-role.js";
import { uniqueName } from "../helpers/names.js";
import { luaString } from "../helpers/prosody-config.js";
import { type CommandLineInvite, commandLineInviteArgs, prosodyMajorVersion } from "../helpers/prosody-server.js";
import { readRawRecord, recordWith, writeRawRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { TEST_SIGNING_KEYS } from "../helpers/signing.js";
import { canLogIn, type TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const ON_13 = prosodyMajorVersion() >= 13;

/**
 * A world whose Prosody also loads the admin shell (0.12 needs it for effectiveRoles and its invite commands). Its
 * Redis timeout is a generous 2 s, not the tests' 0.3 s: nothing here is about a slow Redis, and on a loaded machine
 * one late answer opens the module's circuit breaker (redis_breaker.lib.lua) and fails the next commands too.
 */
function startAdminWorld(moduleConfig = ""): Promise<Scenario> {
  const config = ["invites_redis_timeout = 2", moduleConfig].join("\n");
  return startScenario({ inviteModule: true, moreModules: ROLE_SHELL_MODULES, moduleConfig: config });
}

/** Runs the command line's invite command and returns the token of the URI it printed. */
async function commandLineToken(world: Scenario, invite: CommandLineInvite = {}): Promise<string> {
  const output = await world.servers.prosody.prosodyctl(...commandLineInviteArgs(HOST, invite));
  const token = /\bxmpp:\S+preauth=([\w-]{24})/u.exec(output)?.[1];
  if (token === undefined) throw new Error(`no invite URI in:\n${output}`);
  return token;
}

/** The record Redis holds for `token`, verified with the signing key as the bot and the module check it. */
async function verifiedRecord(world: Scenario, token: string) {
  const value = await readRawRecord(world.redis, token);
  expect(JSON.stringify(value)).not.toContain(token);
  return verifyRecord(TEST_SIGNING_KEYS, HOST, tokenHash(token), value);
}

/** Empty tables are what Prosody writes when it has no roles or groups to give. */
function nonEmpty(value: unknown): unknown {
  return value === false || (typeof value === "object" && value !== null && Object.keys(value).length === 0)
    ? undefined
    : value;
}

/** The roles and groups Prosody's invite modules get from the storage driver for `token`, asked inside Prosody. */
async function whatProsodyReads(world: Scenario, token: string): Promise<{ roles: unknown; groups: unknown }> {
  const output = await world.servers.prosody.prosodyctl(
    "shell",
    `> local invite = require"core.storagemanager".open(${luaString(HOST)}, "invite_token", "map"):get(nil, ` +
      `${luaString(token)}); local data = invite and invite.additional_data or {}; ` +
      'return require"util.json".encode({ roles = data.roles or false, groups = data.groups or false })',
  );
  const json = /^Result: (.*)$/mu.exec(output)?.[1];
  if (json === undefined) throw new Error(`no result in:\n${output}`);
  const read = JSON.parse(json) as { roles: unknown; groups: unknown };
  return { roles: nonEmpty(read.roles), groups: nonEmpty(read.groups) };
}

/** What each version's command line writes for an invite with roles, and the roles the invitee then has. */
interface RoleCase {
  what: string;
  invite: CommandLineInvite;
  /** `additional_data.roles` as stored: a list (primary first) on 13, a set on 0.12. */
  stored: unknown;
  granted: string[];
}

const ROLE_CASES: RoleCase[] = ON_13
  ? [
      {
        what: "13: `shell invite create_account --role prosody:admin` (13.0.1 has no --admin)",
        invite: { admin: true },
        stored: ["prosody:admin"],
        granted: ["prosody:admin"],
      },
      {
        what: "13: `--role prosody:admin --role prosody:member`, a primary and a secondary role",
        invite: { roles: ["prosody:admin", "prosody:member"] },
        stored: ["prosody:admin", "prosody:member"],
        granted: ["prosody:admin", "prosody:member"],
      },
    ]
  : [
      {
        what: "0.12: `mod_invites generate --admin`",
        invite: { admin: true },
        stored: { "prosody:admin": true },
        granted: ["prosody:admin"],
      },
      {
        what: "0.12: `mod_invites generate --role prosody:member`",
        invite: { roles: ["prosody:member"] },
        stored: { "prosody:member": true },
        granted: ["prosody:member"],
      },
    ];

for (const trusted of [false, true]) {
  describe(`Prosody's own invites with roles and groups, ${trusted ? "with invites_redis_trust_roles = true" : "by default (roles not trusted)"}`, () => {
    let world: Scenario;
    let bot: TestBot;
    beforeAll(async () => {
      world = await startAdminWorld(trusted ? "invites_redis_trust_roles = true" : "");
      bot = await world.startBot("bot");
    });
    afterAll(async () => world?.stop());

    for (const { what, invite, stored, granted } of ROLE_CASES) {
      it(`${what}: signed, read by the bot; the invitee gets ${trusted ? "those roles" : "the default role"}`, async () => {
        const token = await commandLineToken(world, invite);
        expect((await verifiedRecord(world, token))?.additional_data?.roles).toEqual(stored);
        expect((await bot.app.store.findByToken(token))?.record.additional_data?.roles).toEqual(stored);
        expect((await whatProsodyReads(world, token)).roles).toEqual(trusted ? stored : undefined);
        const username = uniqueName("roled");
        expect((await world.registerWithInvite(token, username)).register.attrs.type).toBe("result");
        expect(await effectiveRoles(world.servers.prosody, `${username}@${HOST}`)).toEqual(
          trusted ? granted : defaultInviteeRoles(),
        );
      });
    }

    if (ON_13) {
      it("13: `--group` is refused without the community mod_invites_groups; groups stored by it reach Prosody only when trusted", async () => {
        await expect(
          world.servers.prosody.prosodyctl(...commandLineInviteArgs(HOST, { groups: ["g1"] })),
        ).rejects.toThrow(/Unknown parameter: --group/u);
        // What mod_invites_groups would store (mod_invites' create_group), signed as the driver signs it.
        const token = await writeRawRecord(world.redis, recordWith({ additional_data: { groups: ["g1", "g2"] } }));
        expect((await whatProsodyReads(world, token)).groups).toEqual(trusted ? ["g1", "g2"] : undefined);
        const shown = await world.servers.prosody.prosodyctl("shell", "invite", "show", HOST, token);
        expect(shown.includes("Groups:\tg1, g2")).toBe(trusted);
      });
    } else {
      it("0.12: `mod_invites generate --group` is stored signed, and reaches Prosody only when trusted", async () => {
        const token = await commandLineToken(world, { groups: ["g1", "g2"] });
        expect((await verifiedRecord(world, token))?.additional_data?.groups).toEqual(["g1", "g2"]);
        expect((await whatProsodyReads(world, token)).groups).toEqual(trusted ? ["g1", "g2"] : undefined);
        expect((await world.registerWithInvite(token, uniqueName("grouped"))).register.attrs.type).toBe("result");
      });
    }
  });
}

describe("command-line invites and the bot's store", () => {
  let world: Scenario;
  let bot: TestBot;
  let admin: TestUser;
  beforeAll(async () => {
    world = await startAdminWorld();
    bot = await world.startBot("bot");
    admin = await world.login("admin@localhost");
  });
  afterAll(async () => world?.stop());

  /** The bot's answer to `body`, in the thread it was asked in. */
  async function ask(body: string): Promise<string> {
    return (await admin.ask(bot.jid, body)).getChildText("body") ?? "";
  }

  it(`a password reset link made there sets the new password (${ON_13 ? "13: shell invite create_reset" : "0.12: mod_invites generate --reset"})`, async () => {
    const name = uniqueName("forgetful");
    await world.servers.prosody.register(name, HOST, "old-password");
    const token = await commandLineToken(world, { reset: name });
    expect(await verifiedRecord(world, token)).toMatchObject({
      type: "register",
      jid: `${name}@${HOST}`,
      additional_data: { allow_reset: name },
    });
    expect((await world.registerWithInvite(token, name, "new-password")).register.attrs.type).toBe("result");
    expect(await canLogIn(world.servers.service, `${name}@${HOST}`, "new-password")).toBe(true);
    expect(await canLogIn(world.servers.service, `${name}@${HOST}`, "old-password")).toBe(false);
  });

  it(`a contact invite made there registers a contact of its user (${ON_13 ? "13: shell invite create_contact --allow-registration" : "0.12: the shell's invite:create_contact"})`, async () => {
    const token = await commandLineToken(world, { contactOf: "alice" });
    expect(await verifiedRecord(world, token)).toMatchObject({
      type: "roster",
      jid: `alice@${HOST}`,
      allow_registration: true,
    });
    expect(await world.redis.zScore(byInviterKey(HOST, `alice@${HOST}`), tokenHash(token))).not.toBeNull();
    const newcomer = uniqueName("friend");
    expect((await world.registerWithInvite(token, newcomer)).register.attrs.type).toBe("result");
    expect(await world.redis.get(invitedByKey(HOST, `${newcomer}@${HOST}`))).toBe(`alice@${HOST}`);
  });

  it("the bot lists an account invite made there as the server's, and an admin revokes it there by its id", async () => {
    const token = await commandLineToken(world);
    const id = inviteId(token);
    expect(await ask("invites")).toMatch(new RegExp(`• ${id} — .* — by the server — `, "u"));
    expect(await ask(`revoke ${id}`)).toBe(`Revoked invite ${id} (account invite).`);
    expect(await world.redis.exists(recordKey(HOST, tokenHash(token)))).toBe(0);
    const attempt = await world.registerWithInvite(token, uniqueName("late"));
    expect(attempt.preauth.attrs.type).toBe("error");
  });

  if (ON_13) {
    it("13: `shell invite show` and `delete` take the token printed at creation; `list` shows no token column (Redis has only hashes)", async () => {
      const prosodyctl = world.servers.prosody.prosodyctl;
      const created = await prosodyctl(...commandLineInviteArgs(HOST));
      expect(created).toMatch(/^OK: xmpp:localhost\?register;preauth=[\w-]{24}$/mu);
      const token = /preauth=([\w-]{24})/u.exec(created)?.[1] ?? "";
      const shown = await prosodyctl("shell", "invite", "show", HOST, token);
      expect(shown).toContain("Invitation to register on localhost");
      expect(shown).toContain("OK: Invitation valid");
      const listed = await prosodyctl("shell", "invite", "list", HOST);
      const rows = listed.split("\n").filter((line) => line.includes("| Register on localhost"));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row).toMatch(/^ {24} \| /u);
      expect(listed).not.toContain(token);
      expect(await prosodyctl("shell", "invite", "delete", HOST, token)).toContain("OK: Invitation deleted");
      expect(await world.redis.exists(recordKey(HOST, tokenHash(token)))).toBe(0);
      expect(await world.redis.zScore(pendingKey(HOST), tokenHash(token))).toBeNull();
      await expect(prosodyctl("shell", "invite", "show", HOST, token)).rejects.toThrow(/token-invalid/u);
      // The commands of 0.12 that 13 dropped.
      await expect(prosodyctl("mod_invites", "generate", HOST)).rejects.toThrow(/This command is deprecated/u);
      await expect(prosodyctl("shell", "invite", "create_account", HOST, "--admin")).rejects.toThrow(
        /Unknown parameter: --admin/u,
      );
    });
  } else {
    it("0.12: `mod_invites generate` prints the bare URI, the shell's `invite:create_account` an `OK:` line; the shell can neither list nor delete", async () => {
      const prosodyctl = world.servers.prosody.prosodyctl;
      const generated = await prosodyctl("mod_invites", "generate", HOST);
      expect(generated).toMatch(/^xmpp:localhost\?register;preauth=[\w-]{24}$/mu);
      const created = await prosodyctl("shell", `invite:create_account(${luaString(HOST)})`);
      expect(created).toMatch(/^OK: xmpp:localhost\?register;preauth=[\w-]{24}$/mu);
      for (const output of [generated, created]) {
        const token = /preauth=([\w-]{24})/u.exec(output)?.[1] ?? "";
        expect(await verifiedRecord(world, token)).toMatchObject({ type: "register", jid: HOST });
      }
      // So the bot's "invites" and "revoke ID" (above) are how an admin finds and revokes them on 0.12.
      await expect(prosodyctl("shell", `invite:list(${luaString(HOST)})`)).rejects.toThrow(
        /attempt to call a nil value \(method 'list'\)/u,
      );
    });
  }
});

describe("account deletion purges the account's invites, by either of prosodyctl's ways", () => {
  let world: Scenario;
  beforeAll(async () => {
    world = await startAdminWorld();
  });
  afterAll(async () => world?.stop());

  const ways: Record<string, (jid: string) => string[]> = {
    "prosodyctl deluser": (jid) => ["deluser", jid],
    "prosodyctl shell user:delete": (jid) => ["shell", `user:delete(${luaString(jid)})`],
  };

  for (const [way, args] of Object.entries(ways)) {
    it(`${way}: the account's contact invite and its reset link are gone, from every index`, async () => {
      const name = uniqueName("leaving");
      await world.servers.prosody.register(name, HOST, `${name}-pw`);
      const contact = await commandLineToken(world, { contactOf: name });
      const reset = await commandLineToken(world, { reset: name });
      const hashes = [contact, reset].map(tokenHash);
      expect(await world.redis.zCard(byInviterKey(HOST, `${name}@${HOST}`))).toBe(1);
      expect(await world.redis.zCard(forUsernameKey(HOST, name))).toBe(1);
      await world.servers.prosody.prosodyctl(...args(`${name}@${HOST}`));
      expect(await effectiveRoles(world.servers.prosody, `${name}@${HOST}`)).toBeUndefined();
      for (const hash of hashes) {
        expect(await world.redis.exists(recordKey(HOST, hash))).toBe(0);
        expect(await world.redis.zScore(pendingKey(HOST), hash)).toBeNull();
      }
      expect(await world.redis.exists(byInviterKey(HOST, `${name}@${HOST}`))).toBe(0);
      expect(await world.redis.exists(forUsernameKey(HOST, name))).toBe(0);
    });
  }
});
