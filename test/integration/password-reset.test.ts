/** Password reset links (issue #4 point 2): the bot creates them, Prosody's reset flow consumes them. */
import { type Element, xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD_RESET_NODE as RESET } from "../../src/commands/invite-commands.js";
import { discoItemsIq, errorOf, executeIq, formValues, NS_COMMANDS, tokenOf } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { registerWithToken } from "../helpers/ibr-client.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { canLogIn, type TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot");
  [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

function commandIq(node: string, attrs: Record<string, string>, ...children: Element[]): Element {
  return xml("iq", { type: "set", to: bot.jid }, xml("command", { xmlns: NS_COMMANDS, node, ...attrs }, ...children));
}

async function resetLink(user: TestUser, account: string): Promise<Element> {
  const first = (await user.requestRaw(commandIq(RESET, { action: "execute" }))).getChild("command", NS_COMMANDS);
  expect(first?.attrs.status).toBe("executing");
  const field = first?.getChild("x")?.getChildren("field")[0];
  expect(field?.attrs).toMatchObject({ var: "accountjid", type: "jid-single" });
  const submitted = xml(
    "x",
    { xmlns: "jabber:x:data", type: "submit" },
    xml("field", { var: "accountjid" }, xml("value", {}, account)),
  );
  return user.requestRaw(commandIq(RESET, { action: "complete", sessionid: first?.attrs.sessionid ?? "" }, submitted));
}

describe("password reset links", () => {
  it("are listed for admins only", async () => {
    const nodes = async (user: TestUser) =>
      ((await user.request(discoItemsIq(bot.jid, NS_COMMANDS))).getChild("query")?.getChildren("item") ?? []).map(
        (i) => i.attrs.node,
      );
    expect(await nodes(admin)).toContain(RESET);
    expect(await nodes(alice)).not.toContain(RESET);
  });

  it("change a password through Prosody's reset flow, once", async () => {
    await world.servers.prosody.register("rita", "localhost", "old-password");
    const reply = await resetLink(admin, "Rita@localhost");
    const command = reply.getChild("command", NS_COMMANDS);
    expect(command?.attrs.status).toBe("completed");
    expect(command?.getChild("x")?.getChildText("title")).toBe("Password reset link created");
    const values = formValues(command?.getChild("x"));
    expect(values.uri).toMatch(/^xmpp:rita@localhost\?register;preauth=[\w-]{24}$/u);
    expect(Math.abs(Date.parse(values.expire ?? "") - (Date.now() + 86_400_000))).toBeLessThan(60_000);

    const port = world.servers.prosody.port;
    const token = tokenOf(values.uri);
    const used = await registerWithToken({
      port,
      domain: "localhost",
      token,
      username: "rita",
      password: "new-password",
    });
    expect(used.register.attrs.type).toBe("result");
    expect(await canLogIn(world.servers.service, "rita@localhost", "new-password")).toBe(true);
    expect(await canLogIn(world.servers.service, "rita@localhost", "old-password")).toBe(false);

    const again = await registerWithToken({
      port,
      domain: "localhost",
      token,
      username: "rita",
      password: "evil-password",
    });
    expect(errorOf(again.preauth)).toMatchObject({ condition: "forbidden" });
    expect(await canLogIn(world.servers.service, "rita@localhost", "new-password")).toBe(true);
  });

  it("cannot reset another account, nor create one that does not exist", async () => {
    const port = world.servers.prosody.port;
    const other = tokenOf(
      formValues((await resetLink(admin, "alice@localhost")).getChild("command")?.getChild("x")).uri,
    );
    const wrong = await registerWithToken({
      port,
      domain: "localhost",
      token: other,
      username: "bob",
      password: "x-123456",
    });
    expect(errorOf(wrong.register)).toMatchObject({ condition: "not-acceptable" });

    const ghost = tokenOf(
      formValues((await resetLink(admin, "ghost@localhost")).getChild("command")?.getChild("x")).uri,
    );
    const created = await registerWithToken({
      port,
      domain: "localhost",
      token: ghost,
      username: "ghost",
      password: "x-123456",
    });
    expect(errorOf(created.register)).toMatchObject({ condition: "item-not-found" });
    expect(await canLogIn(world.servers.service, "ghost@localhost", "x-123456")).toBe(false);
  });

  it("refuse accounts of other domains and malformed addresses with the reason", async () => {
    expect(errorOf(await resetLink(admin, "eve@other.localhost"))).toMatchObject({
      condition: "not-acceptable",
      text: "Only passwords of accounts on localhost can be reset",
    });
    expect(errorOf(await resetLink(admin, "not a jid"))).toMatchObject({ condition: "jid-malformed" });
  });

  it("are refused for another admin's account and for the bot's own, with the reason", async () => {
    const strict = await world.startBot("bot2", { ADMIN_JIDS: "admin@localhost,bob@localhost" });
    const linkFrom = (target: string) =>
      admin.requestRaw(executeIq(strict.jid, RESET, { action: "execute" })).then(async (first) => {
        const sessionid = first.getChild("command")?.attrs.sessionid ?? "";
        return admin.requestRaw(
          xml(
            "iq",
            { type: "set", to: strict.jid },
            xml(
              "command",
              { xmlns: NS_COMMANDS, node: RESET, action: "complete", sessionid },
              xml(
                "x",
                { xmlns: "jabber:x:data", type: "submit" },
                xml("field", { var: "accountjid" }, xml("value", {}, target)),
              ),
            ),
          ),
        );
      });
    expect(errorOf(await linkFrom("bob@localhost"))).toMatchObject({
      type: "auth",
      condition: "forbidden",
      text: "The password of another administrator cannot be reset with a link; they can change it themselves",
    });
    expect(errorOf(await linkFrom("Bot2@localhost"))).toMatchObject({
      condition: "forbidden",
      text: "The password of the invite bot's own account cannot be reset with a link",
    });
    expect((await admin.ask(strict.jid, "reset bot2@localhost")).getChildText("body")).toBe(
      "Sorry, I do not make reset links for my own account: whoever used it would control me.",
    );
    // An admin's own account is theirs to reset.
    expect((await linkFrom("admin@localhost")).attrs.type).toBe("result");
  });

  it("work over chat for admins, and are refused to users", async () => {
    const text = (await admin.ask(bot.jid, "reset alice@localhost")).getChildText("body") ?? "";
    expect(text).toMatch(
      /^Here is a password reset link for alice@localhost:\nxmpp:alice@localhost\?register;preauth=/u,
    );
    expect((await alice.ask(bot.jid, "reset bob@localhost")).getChildText("body")).toBe(
      "Sorry, only administrators can create password reset links.",
    );
  });
});
