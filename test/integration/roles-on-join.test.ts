/**
 * Roles on join (docs/prosody.md; prosody/invites_redis_roles.lib.lua): on Prosody 13 our module announces
 * `urn:xmpp-invite-bot:roles:0` at the host, and an account registered with the bot's invite naming a role
 * (`additional_data.roles`, one of prosody:registered, prosody:guest, prosody:member, prosody:admin) gets it as its
 * primary role, without `invites_redis_trust_roles`: the record is the bot's, and signed. Any other role is logged at
 * `warn` and ignored. Records Prosody itself made (marked `written_by: "prosody"`, or without the `source` every record
 * of the bot names) keep that option's rule. With the option on, Prosody's mod_invites_register sets the role and our
 * module leaves it: one change, not two. On 0.12 nothing is announced and the bot refuses a role.
 *
 * The role in effect is asked of the running server (test/helpers/effective-role.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InviteError } from "../../src/errors.js";
import { actorFor } from "../../src/invites/permissions.js";
import type { JoinRole } from "../../src/invites/roles.js";
import { discoInfoIq, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { defaultInviteeRoles, effectiveRoles } from "../helpers/effective-role.js";
import { uniqueName } from "../helpers/names.js";
import { commandLineInviteArgs, prosodyMajorVersion } from "../helpers/prosody-server.js";
import { recordWith, storedRecord, writeRawRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const ON_13 = prosodyMajorVersion() >= 13;
const FEATURE = "urn:xmpp-invite-bot:roles:0";
const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
const SOURCE = "admin@localhost/test";

/** The features of the host's disco#info, as the bot asks for them. */
async function hostFeatures(user: TestUser): Promise<string[]> {
  const reply = await user.request(discoInfoIq(HOST));
  const query = reply.getChild("query", NS_DISCO_INFO);
  return (query?.getChildren("feature") ?? []).map((feature) => String(feature.attrs.var));
}

/** Waits until the bot has read the host's features and offers roles (it asks at each login). */
function botSeesRoles(bot: TestBot): Promise<void> {
  return eventually(async () => {
    if (!bot.app.service.rolesOnJoin) throw new Error("the bot does not offer roles (yet)");
  });
}

/** The bot's account invite from the admin, naming `role`: its token. */
async function botInvite(bot: TestBot, role: JoinRole): Promise<string> {
  const { invite } = await bot.app.service.createAccountInvite(
    actorFor("admin@localhost", bot.app.service.policy),
    "admin@localhost/x",
    { role },
  );
  return tokenOf(invite.uri);
}

/** Registers a new account with `token`: its bare JID. */
async function registered(world: Scenario, token: string, prefix = "roled"): Promise<string> {
  const username = uniqueName(prefix);
  expect((await world.registerWithInvite(token, username)).register.attrs.type).toBe("result");
  return `${username}@${HOST}`;
}

/**
 * The roles Prosody set on `jid`, in order, from its own log (core.usermanager's "Account JID role changed to ROLE"):
 * the first is the one the account was made with (mod_register_ibr's default).
 */
function rolesSet(world: Scenario, jid: string): string[] {
  const prefix = `Account ${jid} role changed to `;
  return world.servers.prosody
    .logTail(100_000)
    .split("\n")
    .filter((line) => line.includes(prefix))
    .map((line) => line.slice(line.indexOf(prefix) + prefix.length).trim());
}

describe(`roles on join, Prosody ${ON_13 ? "13" : "0.12"}`, () => {
  let world: Scenario;
  let bot: TestBot;
  let admin: TestUser;

  beforeAll(async () => {
    world = await startScenario({ inviteModule: true });
    bot = await world.startBot("bot");
    admin = await world.login("admin@localhost");
  });

  afterAll(async () => {
    if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
    await world?.stop();
  });

  if (!ON_13) {
    it("0.12: the host does not announce the feature, and the bot refuses a role with a sentence saying why", async () => {
      const features = await hostFeatures(admin);
      // Our module is loaded (it announces its registration hook), but 0.12 has no roles to set.
      expect(features).toContain("urn:xmpp-invite-bot:registration-hook:0");
      expect(features).not.toContain(FEATURE);
      const refused = botInvite(bot, "prosody:guest");
      await expect(refused).rejects.toBeInstanceOf(InviteError);
      await expect(refused).rejects.toMatchObject({ code: "roles-unsupported" });
      expect(bot.app.service.rolesOnJoin).toBe(false);
    });
    return;
  }

  it("13: the host announces the feature, and the bot sees it", async () => {
    expect(await hostFeatures(admin)).toContain(FEATURE);
    await botSeesRoles(bot);
  });

  it("13: the bot's invite with prosody:guest makes a guest account, without invites_redis_trust_roles", async () => {
    await botSeesRoles(bot);
    const token = await botInvite(bot, "prosody:guest");
    // The contract: a list of one, in the bot's signed record (what Prosody itself is handed has no roles).
    expect((await storedRecord(world.redis, token))?.additional_data?.roles).toEqual(["prosody:guest"]);
    const jid = await registered(world, token, "guest");
    expect(await effectiveRoles(world.servers.prosody, jid)).toEqual(["prosody:guest"]);
    expect(rolesSet(world, jid)).toEqual(["prosody:registered", "prosody:guest"]);
    expect(world.servers.prosody.logTail(100_000)).toContain(`${jid} has the role prosody:guest, named by its invite`);
  });

  it("13: prosody:member and prosody:admin likewise; prosody:registered is the default", async () => {
    for (const role of ["prosody:member", "prosody:admin"] as const) {
      const jid = await registered(world, await botInvite(bot, role));
      expect(await effectiveRoles(world.servers.prosody, jid)).toEqual([role]);
    }
    // The bot writes no role for the default (nothing to set); a record naming it sets nothing either.
    const named = await writeRawRecord(
      world.redis,
      recordWith({ additional_data: { source: SOURCE, roles: ["prosody:registered"] } }),
    );
    const jid = await registered(world, named);
    expect(await effectiveRoles(world.servers.prosody, jid)).toEqual(["prosody:registered"]);
    expect(rolesSet(world, jid)).toEqual(["prosody:registered"]);
  });

  it("13: a signed record naming another role gives the default role, and a warn line", async () => {
    const cases = [["prosody:operator"], "prosody:admin", { "prosody:admin": true }, [42]];
    for (const roles of cases) {
      const token = await writeRawRecord(world.redis, recordWith({ additional_data: { source: SOURCE, roles } }));
      const jid = await registered(world, token, "odd");
      expect(await effectiveRoles(world.servers.prosody, jid)).toEqual(defaultInviteeRoles());
      expect(world.servers.prosody.logTail(100_000)).toMatch(
        new RegExp(`warn\\s+Ignoring the role "[^"]*" named by the invite of ${jid}: not one of`, "u"),
      );
    }
  });

  it("13: records Prosody made keep today's rule (no role without invites_redis_trust_roles)", async () => {
    // Prosody's command line: its record names no source, and the driver marks it as Prosody's.
    const output = await world.servers.prosody.prosodyctl(
      ...commandLineInviteArgs(HOST, { roles: ["prosody:member"] }),
    );
    const token = /\bxmpp:\S+preauth=([\w-]{24})/u.exec(output)?.[1] ?? "";
    expect(await storedRecord(world.redis, token)).toMatchObject({
      written_by: "prosody",
      additional_data: { roles: ["prosody:member"] },
    });
    // A record marked as Prosody's that names a source (as its ad-hoc commands do), and an unmarked one without.
    const markedRecord = {
      ...recordWith({ additional_data: { source: SOURCE, roles: ["prosody:admin"] } }),
      written_by: "prosody",
    };
    const marked = await writeRawRecord(world.redis, markedRecord);
    const sourceless = await writeRawRecord(world.redis, recordWith({ additional_data: { roles: ["prosody:admin"] } }));
    for (const prosodys of [token, marked, sourceless]) {
      const jid = await registered(world, prosodys, "native");
      expect(await effectiveRoles(world.servers.prosody, jid)).toEqual(defaultInviteeRoles());
      expect(rolesSet(world, jid)).toEqual(defaultInviteeRoles());
    }
  });
});

// Prosody 0.12 has no roles: this part is for 13 only, and runs in .ci/run's Prosody 13 pass.
if (ON_13) {
  describe("roles on join with invites_redis_trust_roles = true (Prosody 13)", () => {
    let world: Scenario;
    let bot: TestBot;

    beforeAll(async () => {
      world = await startScenario({ inviteModule: true, moduleConfig: "invites_redis_trust_roles = true" });
      bot = await world.startBot("bot");
      await botSeesRoles(bot);
    });

    afterAll(async () => world?.stop());

    it("13: Prosody's mod_invites_register sets the bot's role, and our module leaves it: one change", async () => {
      const jid = await registered(world, await botInvite(bot, "prosody:guest"));
      expect(await effectiveRoles(world.servers.prosody, jid)).toEqual(["prosody:guest"]);
      // Made with the default, then set once, by Prosody.
      expect(rolesSet(world, jid)).toEqual(["prosody:registered", "prosody:guest"]);
      expect(world.servers.prosody.logTail(100_000)).not.toContain(`${jid} has the role`);
    });
  });
}
