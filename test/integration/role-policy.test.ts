/**
 * The policy for users' invites per Prosody 13 role (INVITE_ROLE_POLICY; README, "Users' invites"): our module
 * tells the bot, and only the bot (invites_bot_jid), an account's primary role; guests may not invite by default, and
 * a role with limits of its own is held to them. On Prosody 0.12, which has no primary roles, nothing is announced
 * and everyone has the default policy.
 */

import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { actorFor } from "../../src/invites/permissions.js";
import type { JoinRole } from "../../src/invites/roles.js";
import { USER_ROLE_FEATURE } from "../../src/xmpp/user-roles.js";
import { discoInfoIq, errorOf, executeIq, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { uniqueName } from "../helpers/names.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const BOT = `bot@${HOST}`;
const ON_13 = prosodyMajorVersion() >= 13;
const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";

let world: Scenario;
let bot: TestBot;
let instances: TestBot[];
let alice: TestUser;
const POLICY = {
  ALLOW_USER_INVITES: "true",
  INVITE_MIN_ACCOUNT_AGE: "0",
  INVITE_CHAIN_PACE: "0",
  INVITE_ROLE_POLICY: "prosody:member=quota:1,uses:5",
};
const PARALLEL = 20;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true, inviteBot: BOT });
  // Two instances of the bot's one account (resources of their own), as docs/instances.md runs them.
  instances = await Promise.all([
    world.startBot("bot", POLICY),
    world.startBot("bot", { ...POLICY, XMPP_RESOURCE: "second" }),
  ]);
  [bot] = instances as [TestBot];
  alice = await world.login(`alice@${HOST}`);
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

async function hostFeatures(user: TestUser): Promise<string[]> {
  const query = (await user.request(discoInfoIq(HOST))).getChild("query", NS_DISCO_INFO);
  return (query?.getChildren("feature") ?? []).map((feature) => String(feature.attrs.var));
}

/** A new account made with the admin's invite naming `role`, logged in. */
async function accountWithRole(role: JoinRole): Promise<TestUser> {
  const { invite } = await bot.app.service.createAccountInvite(
    actorFor(`admin@${HOST}`, bot.app.service.policy),
    "admin@localhost/x",
    { role },
  );
  const name = uniqueName("roled");
  const answer = await world.registerWithInvite(tokenOf(invite.uri), name, `${name}-password`);
  expect(answer.register.attrs.type).toBe("result");
  return world.login(`${name}@${HOST}`);
}

const roleIq = (jid: string) => xml("iq", { type: "get", to: HOST }, xml("role", { xmlns: USER_ROLE_FEATURE, jid }));

describe(`the policy per role, Prosody ${ON_13 ? "13" : "0.12"}`, () => {
  if (!ON_13) {
    it("0.12: no role is told, and everyone has the default policy", async () => {
      expect(await hostFeatures(alice)).not.toContain(USER_ROLE_FEATURE);
      expect(errorOf(await alice.requestRaw(roleIq(`alice@${HOST}`)))).toMatchObject({
        condition: "service-unavailable",
      });
      expect((await alice.ask(bot.jid, "invite")).getChildText("body")).toMatch(/^Here is your invite:/u);
      expect((await alice.ask(bot.jid, "invite")).getChildText("body")).toMatch(/^Here is your invite:/u);
    });
    return;
  }

  it("13: the host tells the bot a user's role, and nobody else", async () => {
    expect(await hostFeatures(alice)).toContain(USER_ROLE_FEATURE);
    // Each instance reads the host's features once online.
    await eventually(async () => {
      if (!instances.every((each) => each.app.service.rolesOnJoin)) throw new Error("not every instance has read them");
    });
    expect(errorOf(await alice.requestRaw(roleIq(`admin@${HOST}`)))).toMatchObject({
      type: "auth",
      condition: "forbidden",
    });
  });

  it("13: refuses a guest any invite, in chat and ad-hoc, naming the role", async () => {
    const guest = await accountWithRole("prosody:guest");
    expect((await guest.ask(bot.jid, "invite")).getChildText("body")).toBe(
      "Sorry, accounts with the role Limited (prosody:guest) may not create invites here. An administrator can invite the people you want to bring in.",
    );
    const refused = await guest.requestRaw(executeIq(bot.jid, CONTACT));
    expect(errorOf(refused)).toMatchObject({ type: "auth", condition: "forbidden" });
  });

  it("13: holds a member to the member's limits, and a registered user to the default ones", async () => {
    const member = await accountWithRole("prosody:member");
    // 20 at once over both instances: the member's quota of 1 gives exactly one.
    const replies = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        member.requestRaw(executeIq((instances[i % 2] as TestBot).jid, CONTACT), 15_000),
      ),
    );
    expect(replies.filter((reply) => reply.attrs.type === "result")).toHaveLength(1);
    const refused = replies.filter((reply) => reply.attrs.type === "error").map((reply) => errorOf(reply));
    expect(refused).toHaveLength(PARALLEL - 1);
    for (const error of refused) {
      expect(error).toMatchObject({ type: "wait", condition: "resource-constraint" });
      expect(error.text).toMatch(/^You have created as many invites as allowed in 24 hours;/u);
    }
    // Its uses are the member's own limit: 5, not the default 1.
    expect((await member.ask(bot.jid, "invite uses 6")).getChildText("body")).toBe(
      "Sorry, an invite of yours may have from 1 to 5 uses. Nothing was created.",
    );
    const registered = await accountWithRole("prosody:registered");
    expect((await registered.ask(bot.jid, "invite uses 2")).getChildText("body")).toBe(
      "Sorry, an invite of yours may have from 1 to 1 use. Nothing was created.",
    );
    expect((await registered.ask(bot.jid, "invite")).getChildText("body")).toMatch(/^Here is your invite:/u);
    expect((await registered.ask(bot.jid, "invite")).getChildText("body")).toMatch(/^Here is your invite:/u);
  });
});
