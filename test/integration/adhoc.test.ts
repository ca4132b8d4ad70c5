/**
 * XEP-0050 against a real Prosody and Redis: command lists per role, the
 * result form, ;ibr=y rules, refusals and the hostile cases of issue 2 point 4.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREATE_CIRCLE_NODE, EDIT_CIRCLE_NODE, LIST_CIRCLES_NODE } from "../../src/commands/circle-commands.js";
import { CIRCLE_INVITE_NODE } from "../../src/commands/circle-invite-commands.js";
import {
  ACCOUNT_INVITE_NODE as ACCOUNT,
  CONTACT_INVITE_NODE as CONTACT,
  PASSWORD_RESET_NODE,
} from "../../src/commands/invite-commands.js";
import { LIST_INVITES_NODE, REVOKE_INVITES_NODE } from "../../src/commands/manage-commands.js";
import { RELATIONS_NODE } from "../../src/commands/relations-commands.js";
import { TREE_NODE } from "../../src/commands/tree-commands.js";
import { TOKEN_PATTERN } from "../../src/invites/token.js";
import { recordKey } from "../../src/storage/keys.js";
import { discoInfoIq, discoItemsIq, errorOf, executeIq, formValues, NS_COMMANDS } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { storedRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

/** Skips #create-account's options form: Prosody's one-stage behaviour. */
const COMPLETE = { action: "complete" };

let world: Scenario;
let bot: TestBot; // defaults: ALLOW_USER_INVITES=false, ALLOW_CONTACT_INVITES=true
let openBot: TestBot; // ALLOW_USER_INVITES=true
let strictBot: TestBot; // ALLOW_CONTACT_INVITES=false
let admin: TestUser;
let alice: TestUser;
let eve: TestUser;
let boss: TestUser;

beforeAll(async () => {
  world = await startScenario();
  [bot, openBot, strictBot] = await Promise.all([
    world.startBot("bot"),
    world.startBot("bot2", { ALLOW_USER_INVITES: "true", INVITE_PAGE: "https://{host}/invite?{token}" }),
    world.startBot("bot3", { ALLOW_CONTACT_INVITES: "false" }),
  ]);
  [admin, alice, eve, boss] = await world.loginAll([
    "admin@localhost",
    "alice@localhost",
    "eve@other.localhost",
    "boss@other.localhost",
  ]);
});

afterAll(async () => {
  await world?.stop();
});

async function commandNodes(user: TestUser, target: TestBot): Promise<string[]> {
  const result = await user.request(discoItemsIq(target.jid, NS_COMMANDS));
  const query = result.getChild("query");
  expect(query?.attrs.node).toBe(NS_COMMANDS);
  return (query?.getChildren("item") ?? []).map((item) => {
    expect(item.attrs.jid).toBe(target.jid);
    return `${item.attrs.node} (${item.attrs.name})`;
  });
}

async function execute(user: TestUser, target: TestBot, node: string, attrs?: Record<string, string>) {
  return user.requestRaw(executeIq(target.jid, node, attrs));
}

/** Invite records in Redis (the other keys, such as the event stream, come and go on their own). */
async function keyCount(): Promise<number> {
  return (await world.redis.keys(recordKey("localhost", "*"))).length;
}

describe("command lists (disco#items on the commands node)", () => {
  const RESET = `${PASSWORD_RESET_NODE} (Create password reset link)`;
  const LIST = `${LIST_INVITES_NODE} (List pending invites)`;
  const REVOKE = `${REVOKE_INVITES_NODE} (Revoke invites)`;
  const RELATIONS = `${RELATIONS_NODE} (Who invited whom)`;
  const TREE = `${TREE_NODE} (Invite tree)`;
  const CIRCLES = `${LIST_CIRCLES_NODE} (List circles)`;
  const CREATE_CIRCLE = `${CREATE_CIRCLE_NODE} (Create a circle)`;
  const EDIT_CIRCLE = `${EDIT_CIRCLE_NODE} (Edit a circle)`;
  const INVITE_TO_CIRCLES = `${CIRCLE_INVITE_NODE} (Invite to a circle)`;

  it("shows an admin every command", async () => {
    expect(await commandNodes(admin, bot)).toEqual([
      `${CONTACT} (Create new contact invite)`,
      `${ACCOUNT} (Create new account invite)`,
      RESET,
      LIST,
      REVOKE,
      RELATIONS,
      TREE,
      CIRCLES,
      CREATE_CIRCLE,
      EDIT_CIRCLE,
      INVITE_TO_CIRCLES,
    ]);
  });

  it("shows a local user the contact invite and their own invites, not the admin commands", async () => {
    expect(await commandNodes(alice, bot)).toEqual([
      `${CONTACT} (Create new contact invite)`,
      LIST,
      REVOKE,
      TREE,
      CIRCLES,
    ]);
    // With ALLOW_USER_INVITES, a user may also invite into their circles.
    expect(await commandNodes(alice, openBot)).toContain(INVITE_TO_CIRCLES);
  });

  it("shows a user of another domain nothing", async () => {
    expect(await commandNodes(eve, bot)).toEqual([]);
  });

  it("shows an admin of another domain everything but the contact invite", async () => {
    expect(await commandNodes(boss, bot)).toEqual([
      `${ACCOUNT} (Create new account invite)`,
      RESET,
      LIST,
      REVOKE,
      RELATIONS,
      TREE,
      CIRCLES,
      CREATE_CIRCLE,
      EDIT_CIRCLE,
    ]);
  });

  it("hides the contact invite from users when ALLOW_CONTACT_INVITES=false", async () => {
    expect(await commandNodes(alice, strictBot)).toEqual([LIST, REVOKE, TREE, CIRCLES]);
    expect(await commandNodes(admin, strictBot)).toContain(`${CONTACT} (Create new contact invite)`);
  });
});

describe("disco#info", () => {
  it("describes a command node to someone allowed to run it", async () => {
    const query = (await alice.request(discoInfoIq(bot.jid, CONTACT))).getChild("query");
    expect(query?.getChild("identity")?.attrs).toMatchObject({ category: "automation", type: "command-node" });
    expect(query?.getChildren("feature").map((f) => f.attrs.var)).toEqual([NS_COMMANDS, "jabber:x:data"]);
  });

  it("forbids a command node to someone who may not run it", async () => {
    expect(errorOf(await alice.requestRaw(discoInfoIq(bot.jid, ACCOUNT)))).toMatchObject({ condition: "forbidden" });
  });

  it("answers item-not-found for an unknown node", async () => {
    expect(errorOf(await alice.requestRaw(discoInfoIq(bot.jid, "urn:nope")))).toMatchObject({
      type: "cancel",
      condition: "item-not-found",
    });
  });
});

describe("executing #invite", () => {
  it("gives a local user a contact-only invite with Prosody's result form", async () => {
    const reply = await execute(alice, bot, CONTACT);
    expect(reply.attrs.type).toBe("result");
    const command = reply.getChild("command", NS_COMMANDS);
    expect(command?.attrs).toMatchObject({ node: CONTACT, status: "completed" });
    expect(command?.attrs.sessionid).toBeTruthy();
    const form = command?.getChild("x", "jabber:x:data");
    expect(form?.attrs.type).toBe("result");
    expect(form?.getChildText("title")).toBe("Your invite has been created");
    const values = formValues(form);
    expect(Object.keys(values)).toEqual(["FORM_TYPE", "landing-url", "uri", "expire"]);
    expect(values.FORM_TYPE).toBe("urn:xmpp:invite#invitation");
    const match = /^xmpp:alice@localhost\?roster;preauth=([A-Za-z0-9_-]{24})$/u.exec(values.uri ?? "");
    expect(match).not.toBeNull();
    expect(values["landing-url"]).toBe(values.uri);
    const expire = Date.parse(values.expire ?? "");
    expect(values.expire).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u);
    expect(Math.abs(expire - (Date.now() + 604_800_000))).toBeLessThan(60_000);
    const token = match?.[1] ?? "";
    expect(token).toMatch(TOKEN_PATTERN);
    expect(await storedRecord(world.redis, token)).toMatchObject({
      type: "roster",
      jid: "alice@localhost",
      allow_registration: false,
    });
  });

  it("adds ;ibr=y for an admin, who may always invite new users", async () => {
    const values = formValues((await execute(admin, bot, CONTACT)).getChild("command")?.getChild("x"));
    expect(values.uri).toMatch(/^xmpp:admin@localhost\?roster;preauth=[\w-]{24};ibr=y$/u);
    const token = /preauth=([\w-]{24})/u.exec(values.uri ?? "")?.[1];
    expect((await storedRecord(world.redis, token ?? ""))?.allow_registration).toBe(true);
  });

  it("adds ;ibr=y for a user when ALLOW_USER_INVITES=true, with the INVITE_PAGE landing URL", async () => {
    const values = formValues((await execute(alice, openBot, CONTACT)).getChild("command")?.getChild("x"));
    expect(values.uri).toMatch(/;ibr=y$/u);
    const token = /preauth=([\w-]{24})/u.exec(values.uri ?? "")?.[1];
    expect(values["landing-url"]).toBe(`https://localhost/invite?${token}`);
  });

  it("refuses a user of another domain with forbidden, storing nothing", async () => {
    const before = await keyCount();
    expect(errorOf(await execute(eve, bot, CONTACT))).toMatchObject({ type: "auth", condition: "forbidden" });
    expect(await keyCount()).toBe(before);
  });

  it("refuses users when ALLOW_CONTACT_INVITES=false", async () => {
    expect(errorOf(await execute(alice, strictBot, CONTACT))).toMatchObject({ condition: "forbidden" });
  });
});

describe("executing #create-account", () => {
  it("gives an admin the one-stage default invite with action complete", async () => {
    const values = formValues((await execute(admin, bot, ACCOUNT, COMPLETE)).getChild("command")?.getChild("x"));
    const token = /^xmpp:localhost\?register;preauth=([\w-]{24})$/u.exec(values.uri ?? "")?.[1];
    expect(token).toBeDefined();
    const stored = await storedRecord(world.redis, token ?? "");
    expect(stored).toMatchObject({ type: "register", jid: "localhost", allow_registration: true });
    expect(stored?.additional_data?.source).toBe(admin.jid);
  });

  it("gives an admin of another domain an account invite for the bot's domain", async () => {
    const values = formValues((await execute(boss, bot, ACCOUNT, COMPLETE)).getChild("command")?.getChild("x"));
    expect(values.uri).toMatch(/^xmpp:localhost\?register;preauth=/u);
  });

  it("refuses a non-admin with forbidden, even when users may invite", async () => {
    const before = await keyCount();
    expect(errorOf(await execute(alice, openBot, ACCOUNT))).toMatchObject({ type: "auth", condition: "forbidden" });
    expect(await keyCount()).toBe(before);
  });
});

describe("hostile requests", () => {
  it("answers item-not-found for an unknown node", async () => {
    expect(errorOf(await execute(alice, bot, "urn:xmpp:invite#nope"))).toMatchObject({
      type: "cancel",
      condition: "item-not-found",
    });
  });

  it("answers bad-request + malformed-action for an unknown action, storing nothing", async () => {
    const before = await keyCount();
    expect(errorOf(await execute(alice, bot, CONTACT, { action: "destroy" }))).toMatchObject({
      type: "modify",
      condition: "bad-request",
      specific: "malformed-action",
    });
    expect(await keyCount()).toBe(before);
  });

  it("answers bad-request + bad-sessionid for an unknown session", async () => {
    expect(
      errorOf(await execute(alice, bot, CONTACT, { action: "complete", sessionid: "no-such-session" })),
    ).toMatchObject({
      condition: "bad-request",
      specific: "bad-sessionid",
    });
  });

  it("answers bad-sessionid when a finished session is continued", async () => {
    const first = await execute(alice, bot, CONTACT);
    const sessionid = first.getChild("command")?.attrs.sessionid ?? "";
    expect(errorOf(await execute(alice, bot, CONTACT, { action: "next", sessionid }))).toMatchObject({
      specific: "bad-sessionid",
    });
  });

  it("cancels with status canceled and stores nothing", async () => {
    const before = await keyCount();
    const reply = await execute(admin, bot, ACCOUNT, { action: "cancel" });
    expect(reply.getChild("command")?.attrs.status).toBe("canceled");
    expect(reply.getChild("command")?.getChild("x")).toBeUndefined();
    expect(await keyCount()).toBe(before);
  });
});
