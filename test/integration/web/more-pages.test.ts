/**
 * More invite pages against the private Prosody + Redis, each invite made through the real ad-hoc command or
 * chat: a contact-only invite (a bot without ALLOW_USER_INVITES) used by someone who already has an account,
 * the chat reply's link, and a password reset link from the reset command.
 */
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD_RESET_NODE as RESET } from "../../../src/commands/invite-commands.js";
import { executeIq, formValues, NS_COMMANDS, tokenOf } from "../../helpers/adhoc-client.js";
import type { TestBot } from "../../helpers/bot.js";
import { freePort } from "../../helpers/ports.js";
import { recordWith, writeRawRecord } from "../../helpers/raw-records.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { textOf } from "../../helpers/web-form.js";
import { connectUser, subscribeWithInvite, subscriptionOf, type TestUser } from "../../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;
let webUrl: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  // ALLOW_USER_INVITES is off: a local user's contact invite is contact-only.
  bot = await world.startBot("bot", { WEB_LISTEN: `127.0.0.1:${port}`, WEB_URL: webUrl });
  [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

describe("a contact-only invite", () => {
  it("has a page without a form, whose Link header leads an existing account to the inviter (XEP-0379)", async () => {
    const reply = await alice.requestRaw(executeIq(bot.jid, "urn:xmpp:invite#invite", { action: "complete" }));
    const url = formValues(reply.getChild("command")?.getChild("x"))["landing-url"] ?? "";
    expect(url.startsWith(`${webUrl}/invite/`)).toBe(true);
    const page = await new WebVisitor(webUrl).get(url);
    expect(page.status).toBe(200);
    expect(textOf(page.body, { className: "address" })).toBe("The address to add: alice@localhost");
    expect(page.body).not.toContain("<form");
    // What a client or web client does with the page: the invite URI from the Link header.
    const uri = /^<([^>]+)>; rel="alternate"$/u.exec(page.headers.get("link") ?? "")?.[1] ?? "";
    expect(uri).toMatch(/^xmpp:alice@localhost\?roster;preauth=[\w-]{24}$/u);
    expect(page.headers.get("access-control-expose-headers")).toBe("Link");
    await subscribeWithInvite(bob, "alice@localhost", tokenOf(uri));
    await bob.nextPresence({ from: "alice@localhost", type: "subscribed" });
    expect(subscriptionOf(await alice.roster(), "bob@localhost")).toBe("from");
    expect((await new WebVisitor(webUrl).get(url)).status).toBe(404);
  });
});

describe("a record written to Redis without the signing key", () => {
  it("gets no page: the pages read records through the same signature check", async () => {
    const forged = await writeRawRecord(world.redis, recordWith(), { signingKey: "f".repeat(32) });
    const signed = await writeRawRecord(world.redis, recordWith());
    expect((await new WebVisitor(webUrl).get(`${webUrl}/invite/${forged}`)).status).toBe(404);
    expect((await new WebVisitor(webUrl).get(`${webUrl}/invite/${signed}`)).status).toBe(200);
  });
});

describe("the chat reply", () => {
  it("carries the bot's page as the link", async () => {
    await alice.sendChat("bot@localhost", "invite");
    // The reply with the link, not any other chat message from the bot: the notice that bob used alice's invite
    // (previous test) may still be on its way, and on Prosody 13 it comes after this test began.
    const link = new RegExp(`${webUrl.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&")}/invite/[\\w-]{24}`, "u");
    const body = (await alice.nextMessage({ from: bot.jid, type: "chat", body: link })).getChildText("body") ?? "";
    const url = link.exec(body)?.[0];
    expect(url, body).toBeDefined();
    expect((await new WebVisitor(webUrl).get(url ?? "")).status).toBe(200);
  });
});

describe("a password reset link from the reset command", () => {
  it("opens its form, sets the new password, and only once", async () => {
    await world.servers.prosody.register("carla", "localhost", "carla-old");
    const first = (await admin.requestRaw(executeIq(bot.jid, RESET))).getChild("command", NS_COMMANDS);
    const form = xml(
      "x",
      { xmlns: "jabber:x:data", type: "submit" },
      xml("field", { var: "accountjid" }, xml("value", {}, "carla@localhost")),
    );
    const done = await admin.requestRaw(
      xml(
        "iq",
        { type: "set", to: bot.jid },
        xml(
          "command",
          { xmlns: NS_COMMANDS, node: RESET, action: "complete", sessionid: first?.attrs.sessionid ?? "" },
          form,
        ),
      ),
    );
    const url = formValues(done.getChild("command")?.getChild("x"))["landing-url"] ?? "";
    expect(url.startsWith(`${webUrl}/invite/`)).toBe(true);
    const visitor = new WebVisitor(webUrl);
    const page = await visitor.get(url);
    expect(page.body).toContain("Set a new password for carla@localhost");
    const mismatch = await visitor.submit(page, { password: "carla-new", password_again: "carla-typo" });
    expect(textOf(mismatch.body, { id: "password-error" })).toBe("The two passwords are not the same.");
    const changed = await visitor.submit(mismatch, { password: "carla-new", password_again: "carla-new" });
    expect(changed.body).toContain("Your password was changed");
    const carla = await connectUser({
      service: world.servers.service,
      domain: "localhost",
      username: "carla",
      password: "carla-new",
    });
    world.users.push(carla);
    expect((await new WebVisitor(webUrl).get(url)).status).toBe(404);
  });
});
