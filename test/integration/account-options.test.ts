/**
 * #create-account's options (issue #4 point 1) end to end: the XEP-0050 form
 * stages on the bot, and their effect in Prosody with prosody/ loaded.
 */
import { type Element, xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT } from "../../src/commands/invite-commands.js";
import { pendingKey, recordKey, usedKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { errorOf, formValues, NS_COMMANDS, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { openIbrSession } from "../helpers/ibr-client.js";
import { uniqueName } from "../helpers/names.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { storedRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { connectUser, type TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let boss: TestUser;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot");
  [admin, boss] = await world.loginAll(["admin@localhost", "boss@other.localhost"]);
  // On 13 the bot learns at login, by disco#info, that the module sets roles: the form's role field waits for that.
  if (prosodyMajorVersion() >= 13) await eventually(async () => expect(bot.app.service.rolesOnJoin).toBe(true));
});

afterAll(async () => {
  await world?.stop();
});

function command(reply: Element): Element {
  const element = reply.getChild("command", NS_COMMANDS);
  if (element === undefined) throw new Error(`not a command reply: ${reply.toString()}`);
  return element;
}

function start(user: TestUser): Promise<Element> {
  return user.requestRaw(
    xml("iq", { type: "set", to: bot.jid }, xml("command", { xmlns: NS_COMMANDS, node: ACCOUNT, action: "execute" })),
  );
}

/** Submits the options form of an open session with these values (everything else untouched). */
function submit(
  user: TestUser,
  sessionid: string,
  values: Record<string, string>,
  action = "complete",
): Promise<Element> {
  const fields = Object.entries(values).map(([name, value]) => xml("field", { var: name }, xml("value", {}, value)));
  return user.requestRaw(
    xml(
      "iq",
      { type: "set", to: bot.jid },
      xml(
        "command",
        { xmlns: NS_COMMANDS, node: ACCOUNT, sessionid, action },
        xml("x", { xmlns: "jabber:x:data", type: "submit" }, ...fields),
      ),
    ),
  );
}

async function createWith(values: Record<string, string>, user = admin): Promise<Record<string, string>> {
  const first = command(await start(user));
  const done = command(await submit(user, first.attrs.sessionid ?? "", values));
  expect(done.attrs.status).toBe("completed");
  return formValues(done.getChild("x"));
}

function register(token: string, username: string) {
  return world.registerWithInvite(token, username, "pw-123456");
}

describe("the options form", () => {
  it("answers execute with a form of the XEP-0401 fields and ours", async () => {
    const first = command(await start(admin));
    expect(first.attrs.status).toBe("executing");
    expect(first.getChild("actions")?.attrs.execute).toBe("complete");
    const form = first.getChild("x", "jabber:x:data");
    expect(form?.attrs.type).toBe("form");
    const fields = (form?.getChildren("field") ?? []).map((f) => `${f.attrs.var}:${f.attrs.type}`);
    expect(fields).toEqual([
      "username:text-single",
      "roster-subscription:boolean",
      "expire:list-single",
      "max-uses:text-single",
      "note:text-single",
      // No circles field while there are no circles (test/integration/circles.test.ts has one).
      "rooms:jid-multi",
      // Our module announces roles on Prosody 13 only (test/integration/roles-on-join.test.ts).
      ...(prosodyMajorVersion() >= 13 ? ["role:list-single"] : []),
    ]);
    const expire = form?.getChildren("field").find((f) => f.attrs.var === "expire");
    expect(expire?.getChildren("option").map((o) => o.attrs.label)).toEqual(["1 hour", "1 day", "1 week", "4 weeks"]);
  });

  it("gives the one-stage default when the form is submitted untouched", async () => {
    const values = await createWith({});
    expect(values.uri).toMatch(/^xmpp:localhost\?register;preauth=[\w-]{24}$/u);
    expect(Math.abs(Date.parse(values.expire ?? "") - (Date.now() + 604_800_000))).toBeLessThan(60_000);
  });

  it("uses the chosen expiry", async () => {
    const values = await createWith({ expire: "3600" });
    expect(Math.abs(Date.parse(values.expire ?? "") - (Date.now() + 3_600_000))).toBeLessThan(60_000);
    const ttl = await world.redis.pTTL(recordKey("localhost", tokenHash(tokenOf(values.uri))));
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it("sends the form back, filled in, with what to fix, and creates nothing", async () => {
    const before = (await world.redis.keys(recordKey("localhost", "*"))).length;
    const first = command(await start(admin));
    const again = command(
      await submit(admin, first.attrs.sessionid ?? "", { username: "two words", "max-uses": "500", note: "keep me" }),
    );
    expect(again.attrs.status).toBe("executing");
    expect(again.getChild("note")?.attrs.type).toBe("error");
    expect(again.getChildText("note")).toContain('"two words" cannot be a username');
    expect(again.getChildText("note")).toContain("The number of uses must be from 1 to 100");
    expect(formValues(again.getChild("x"))).toMatchObject({
      username: "two words",
      "max-uses": "500",
      note: "keep me",
    });
    expect((await world.redis.keys(recordKey("localhost", "*"))).length).toBe(before);
    // The same session goes on once the values are right.
    const done = command(await submit(admin, first.attrs.sessionid ?? "", { username: "", "max-uses": "2" }));
    expect(done.attrs.status).toBe("completed");
    expect(done.getChildText("note")).toBe("This invite can be used 2 times.");
  });

  it("cancels the second stage, and the session is gone afterwards", async () => {
    const first = command(await start(admin));
    const sessionid = first.attrs.sessionid ?? "";
    expect(command(await submit(admin, sessionid, {}, "cancel")).attrs.status).toBe("canceled");
    expect(errorOf(await submit(admin, sessionid, {}))).toMatchObject({
      condition: "bad-request",
      specific: "bad-sessionid",
    });
  });

  it("does not let another user continue someone's session", async () => {
    const first = command(await start(admin));
    const other = await world.login("admin@localhost");
    expect(errorOf(await submit(other, first.attrs.sessionid ?? "", {}))).toMatchObject({ specific: "bad-sessionid" });
  });

  it("refuses roster-subscription for an admin without an account here", async () => {
    const first = command(await start(boss));
    expect(errorOf(await submit(boss, first.attrs.sessionid ?? "", { "roster-subscription": "1" }))).toMatchObject({
      type: "modify",
      condition: "not-acceptable",
      text: "Only an account on localhost can be added to the new user's contacts",
    });
  });
});

describe("what the options do in Prosody", () => {
  it("binds the invite to a username: another name is refused, that name registers", async () => {
    const bound = uniqueName("bound");
    const values = await createWith({ username: bound.toUpperCase() });
    expect(values.uri).toMatch(new RegExp(`^xmpp:${bound}@localhost\\?register;preauth=`, "u"));
    const token = tokenOf(values.uri);
    const wrong = await register(token, uniqueName("someoneelse"));
    expect(errorOf(wrong.register)).toMatchObject({
      condition: "not-acceptable",
      text: `This invite is for the username ${bound} only`,
    });
    expect((await register(token, bound)).register.attrs.type).toBe("result");
  });

  it("binds a username typed in full-width letters to the name the server registers", async () => {
    const bound = uniqueName("wide");
    // "ｗｉｄｅ7" in full-width forms; Prosody's nodeprep registers it as "wide7".
    const wide = [...bound].map((c) => String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0)).join("");
    const values = await createWith({ username: wide });
    expect(values.uri).toMatch(new RegExp(`^xmpp:${bound}@localhost\\?register;preauth=`, "u"));
    expect((await register(tokenOf(values.uri), wide)).register.attrs.type).toBe("result");
  });

  it("stops a reusable invite at its cap when 10 clients race for 3 uses", async () => {
    const token = tokenOf((await createWith({ "max-uses": "3" })).uri);
    const sessions = await Promise.all(
      Array.from({ length: 10 }, () => openIbrSession({ port: world.servers.prosody.port, domain: "localhost" })),
    );
    try {
      await Promise.all(sessions.map((s) => s.preauth(token)));
      const replies = await Promise.all(sessions.map((s) => s.register(uniqueName("club"), "pw-123456")));
      expect(replies.filter((r) => r.attrs.type === "result")).toHaveLength(3);
      for (const refused of replies.filter((r) => r.attrs.type === "error")) {
        expect(errorOf(refused).text).toMatch(
          /^This invite (has been used as many times as it allows|has already been used)$/u,
        );
      }
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
    // The last use removed every key of the invite: the record, its use count and its index entries.
    expect(
      await world.redis.exists([recordKey("localhost", tokenHash(token)), usedKey("localhost", tokenHash(token))]),
    ).toBe(0);
    expect(await world.redis.zScore(pendingKey("localhost"), tokenHash(token))).toBeNull();
  });

  it("makes the new user and the admin mutual contacts with roster-subscription", async () => {
    const values = await createWith({ "roster-subscription": "true", note: "for the chess club" });
    expect(values.uri).toMatch(/^xmpp:admin@localhost\?roster;preauth=[\w-]{24};ibr=y$/u);
    const stored = await storedRecord(world.redis, tokenOf(values.uri));
    expect(stored?.additional_data).toMatchObject({ note: "for the chess club" });
    const newcomer = uniqueName("chess");
    expect((await register(tokenOf(values.uri), newcomer)).register.attrs.type).toBe("result");
    const user = await connectUser({
      service: world.servers.service,
      domain: "localhost",
      username: newcomer,
      password: "pw-123456",
    });
    world.users.push(user);
    const item = (await user.roster()).getChildren("item").find((i) => i.attrs.jid === "admin@localhost");
    expect(item?.attrs.subscription).toBe("both");
  });
});
