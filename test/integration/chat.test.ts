/** The chat keywords against a real Prosody and Redis (issue 2 point 5). */

import type { Element } from "@xmpp/xml";
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import type { TestBot } from "../helpers/bot.js";
import { storedRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let eve: TestUser;

beforeAll(async () => {
  world = await startScenario();
  bot = await world.startBot("bot");
  [admin, alice, eve] = await world.loginAll(["admin@localhost", "alice@localhost", "eve@other.localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

/** The text of the bot's answer to `body` (in the thread it was asked in: never a notice sent meanwhile). */
async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(bot.jid, body)).getChildText("body") ?? "";
}

/** Invite records in Redis (the other keys, such as the event stream, come and go on their own). */
async function keyCount(): Promise<number> {
  return (await world.redis.keys(recordKey("localhost", "*"))).length;
}

describe("chat keyword invite", () => {
  it("answers a user with the link, the xmpp: URI and the expiry in words", async () => {
    const text = await ask(alice, "  Invite ");
    const lines = text.split("\n");
    expect(lines[0]).toBe("Here is your invite:");
    const uri = lines[1] ?? "";
    expect(uri).toMatch(/^xmpp:alice@localhost\?roster;preauth=[\w-]{24}$/u);
    expect(text).toMatch(/expires in 1 week, until \w{3}, \d\d \w{3} \d{4} \d\d:\d\d UTC\./u);
    expect(text).toContain("becomes your contact");
    const token = uri.slice(-24);
    expect(await storedRecord(world.redis, token)).toMatchObject({ type: "roster", jid: "alice@localhost" });
  });

  it("creates the same invite as the #invite command (registration for admins)", async () => {
    const text = await ask(admin, "INVITE");
    const uri = text.split("\n")[1] ?? "";
    expect(uri).toMatch(/^xmpp:admin@localhost\?roster;preauth=[\w-]{24};ibr=y$/u);
    const token = /preauth=([\w-]{24})/u.exec(uri)?.[1];
    expect(await storedRecord(world.redis, token ?? "")).toMatchObject({
      type: "roster",
      jid: "admin@localhost",
      allow_registration: true,
    });
    expect(text).toContain("can create an account on localhost");
  });

  it("gives an admin an account invite for 'invite account'", async () => {
    const text = await ask(admin, "invite   ACCOUNT");
    expect(text).toMatch(/^Here is an account invite:\nxmpp:localhost\?register;preauth=[\w-]{24}\n/u);
  });

  it("politely refuses 'invite account' to a user and creates nothing", async () => {
    const before = await keyCount();
    expect(await ask(alice, "invite account")).toBe(
      'Sorry, only administrators can create account invites. Say "invite" for a contact invite.',
    );
    expect(await keyCount()).toBe(before);
  });

  it("politely refuses a user of another domain and creates nothing", async () => {
    const before = await keyCount();
    expect(await ask(eve, "invite")).toBe("Sorry, I can only create invites for users of localhost.");
    expect(await keyCount()).toBe(before);
  });
});

describe("account invite options in chat", () => {
  it("takes a lifetime, a number of uses and a note", async () => {
    const text = await ask(admin, 'invite account 1d 5 uses "for the chess club"');
    expect(text).toContain("It can be used 5 times and expires in 1 day, until ");
    expect(text).toContain("Note: for the chess club");
    const token = /preauth=([\w-]{24})/u.exec(text)?.[1];
    expect(await storedRecord(world.redis, token ?? "")).toMatchObject({
      reusable: true,
      additional_data: { max_uses: 5, note: "for the chess club" },
    });
    expect(await world.redis.pTTL(recordKey("localhost", tokenHash(token ?? "")))).toBeGreaterThan(86_300_000);
  });

  it("binds the invite to a username", async () => {
    const text = await ask(admin, "invite account for Bob");
    expect(text).toMatch(/^Here is an account invite:\nxmpp:bob@localhost\?register;preauth=[\w-]{24}\n/u);
    expect(text).toContain("Only the username bob can be registered with it.");
  });

  it("says which word it did not understand, and creates nothing", async () => {
    const before = await keyCount();
    expect(await ask(admin, "invite account 2d")).toBe(
      'I did not understand "2d". Try: invite account 1d 5 uses "for the chess club"',
    );
    expect(await ask(admin, "invite account 500 uses")).toBe(
      'Nothing was created: The number of uses must be from 1 to 100, not "500".',
    );
    expect(await keyCount()).toBe(before);
  });

  it("still refuses a user, whatever the options", async () => {
    expect(await ask(alice, "invite account 1d")).toMatch(/^Sorry, only administrators can create account invites/u);
  });
});

describe("help and hints", () => {
  it("lists what a user may do", async () => {
    const text = await ask(alice, "help");
    expect(text).toContain("• invite — ");
    expect(text).not.toContain("invite account");
  });

  it("lists the account invite for an admin", async () => {
    expect(await ask(admin, "Help")).toContain("• invite account — ");
  });

  it("tells a user of another domain there is nothing for them", async () => {
    expect(await ask(eve, "help")).toBe(
      "I create invites for users of localhost, so there is nothing I can do for you, sorry.",
    );
  });

  it("answers anything else with a one-line hint", async () => {
    const text = await ask(alice, "hello bot, can I have a link?");
    expect(text).toBe('I did not understand that. Send "invite" for an invite link, or "help" to see what I can do.');
    expect(text.split("\n")).toHaveLength(1);
  });
});

describe("secrets", () => {
  it("asks archives and carbons to keep no copy of a reply with a link (XEP-0334, XEP-0280), and only of those", async () => {
    const hintsOf = (message: Element) =>
      message
        .getChildElements()
        .filter((child) => child.name !== "body")
        .map((child) => `${child.name} ${child.attrs.xmlns}`);
    await alice.sendChat(bot.jid, "invite");
    // Asked without a thread, so that the answer carries nothing but its body and the hints.
    const withLink = await alice.nextMessage({ from: bot.jid, type: "chat", body: /^Here is your invite:\n/u });
    expect(withLink.getChildText("body")).toContain("preauth=");
    expect(hintsOf(withLink)).toEqual([
      "no-store urn:xmpp:hints",
      "no-copy urn:xmpp:hints",
      "private urn:xmpp:carbons:2",
    ]);
    await admin.sendChat(bot.jid, "reset bob@localhost");
    const reset = await admin.nextMessage({
      from: bot.jid,
      type: "chat",
      body: /^Here is a password reset link for bob@localhost:\n/u,
    });
    expect(reset.getChildText("body")).toContain("preauth=");
    expect(hintsOf(reset)).toHaveLength(3);
    await alice.sendChat(bot.jid, "help");
    const help = await alice.nextMessage({ from: bot.jid, type: "chat", body: /^I create invites for localhost/u });
    expect(hintsOf(help)).toEqual([]);
  });

  it("never logs a whole token, at any level", async () => {
    const text = await ask(alice, "invite");
    const token = /preauth=([\w-]{24})/u.exec(text)?.[1] ?? "";
    expect(token).not.toBe("");
    const logs = bot.logs.join("");
    expect(bot.config.logLevel).toBe("debug");
    expect(logs).toContain(`token="${token.slice(0, 4)}…"`);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain("bot-password");
  });
});

describe("messages the bot never answers", () => {
  it("ignores error, groupchat and headline messages and messages without a body", async () => {
    const before = await keyCount();
    const to = bot.jid;
    await alice.send(xml("message", { to, type: "error" }, xml("body", {}, "invite")));
    await alice.send(xml("message", { to, type: "groupchat" }, xml("body", {}, "invite")));
    await alice.send(xml("message", { to, type: "headline" }, xml("body", {}, "invite")));
    await alice.send(
      xml("message", { to, type: "chat" }, xml("active", { xmlns: "http://jabber.org/protocol/chatstates" })),
    );
    await alice.send(xml("message", { to, type: "chat" }, xml("body", {}, "   ")));
    // The bot handles stanzas in order, so the first thing it says now answers "help".
    expect(await ask(alice, "help")).toMatch(/^I create invites for localhost/u);
    expect(await keyCount()).toBe(before);
    // They did reach the bot, which chose not to answer them.
    const reasons = bot.logs
      .filter((line) => line.includes("Not answering a message") && line.includes("alice@localhost"))
      .map((line) => /reason=("[^"]*"|\S+)/u.exec(line)?.[1]);
    expect(reasons).toEqual(['"type error"', '"type groupchat"', '"type headline"', '"no body"', '"no body"']);
  });

  it("keeps the thread of a conversation", async () => {
    await alice.send(xml("message", { to: bot.jid, type: "chat" }, xml("body", {}, "help"), xml("thread", {}, "t-42")));
    const reply = await alice.nextMessage({ from: bot.jid, body: /^I create invites for localhost/u });
    expect(reply.getChildText("thread")).toBe("t-42");
  });
});
