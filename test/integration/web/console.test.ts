/**
 * The web console against the private Prosody + Redis, with the real bot serving it (docs/console.md): a login link
 * from chat and from the page, the first page over the invites in Redis, creating and revoking through it, and
 * logging out from chat. Nothing here is Prosody-side; it runs on whichever Prosody is on PATH (0.12 and 13).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN_NODE } from "../../../src/commands/console-commands.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { executeIq } from "../../helpers/adhoc-client.js";
import type { TestBot } from "../../helpers/bot.js";
import { ConsoleVisitor } from "../../helpers/console-visitor.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { textOf } from "../../helpers/web-form.js";
import type { TestUser } from "../../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let alice: TestUser;
let webUrl: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot(
    (web) => world.startBot("bot", { ...web, ALLOW_USER_INVITES: "true", REGISTRATION: "auto" }),
    "server",
  ));
  [alice] = await world.loginAll(["alice@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(bot.jid, body)).getChildText("body") ?? "";
}

function linkIn(text: string): string {
  const link = new RegExp(`${webUrl}/console/login/[A-Za-z0-9_-]{24}`, "u").exec(text)?.[0];
  if (link === undefined) throw new Error(`no login link in: ${text}`);
  return link;
}

const idsOn = (body: string) => [...body.matchAll(/<li class="invite" data-id="([^"]+)"/gu)].map((m) => m[1] ?? "");
const aliceActor = () => actorFor("alice@localhost", bot.app.service.policy);

/** Opens a login link and presses its button; resolves with the console's first page. */
async function logIn(visitor: ConsoleVisitor, link: string): Promise<string> {
  const confirm = await visitor.get(link);
  expect(confirm.status).toBe(200);
  expect(confirm.body).toContain("Log in as alice@localhost");
  const posted = await visitor.post(new URL(link).pathname, confirm.body);
  expect(posted.status).toBe(303);
  const page = await visitor.get(posted.location ?? "");
  expect(textOf(page.body, { className: "logged-in" })).toBe("Logged in as alice@localhost");
  return page.body;
}

describe("the web console with the real bot", () => {
  it("logs in with chat login, creates and revokes through the page, and chat logout ends the session", async () => {
    const made = await ask(alice, "invite");
    expect(made).toContain("Here is your invite:");
    const reply = await ask(alice, "login");
    expect(reply).toContain("It works once, for 10 minutes");
    const link = linkIn(reply);
    const visitor = new ConsoleVisitor(webUrl);
    const first = await logIn(visitor, link);
    const [existing = ""] = idsOn(first);
    expect((await bot.app.service.listInvites(aliceActor())).invites.map((invite) => invite.id)).toEqual([existing]);
    // The link is used up.
    expect((await new ConsoleVisitor(webUrl).get(link)).status).toBe(404);

    const created = await visitor.post("/console/invites", first, { kind: "contact" });
    expect(created.status).toBe(200);
    expect(textOf(created.body, { className: "created-link" })).toMatch(
      new RegExp(`^${webUrl}/invite/[A-Za-z0-9_-]{24}$`, "u"),
    );
    const ids = idsOn(created.body);
    expect(ids).toHaveLength(2);
    const fresh = ids.find((id) => id !== existing) ?? "";
    const revoked = await visitor.post("/console/revoke", created.body, { id: fresh });
    expect(revoked.status).toBe(303);
    expect(idsOn((await visitor.get("/console")).body)).toEqual([existing]);
    expect((await bot.app.service.listInvites(aliceActor())).invites.map((invite) => invite.id)).toEqual([existing]);

    expect(await ask(alice, "logout")).toBe("Logged out of the web console (1 session).");
    const after = await visitor.get("/console");
    expect(after.body).toContain('class="ask-link"');
    expect(after.body).not.toContain("Logged in as");
    // Neither the link's token nor the session id is ever logged whole.
    const logged = bot.logs.join("");
    expect(logged).toContain("Console session started");
    expect(logged).not.toContain(link.slice(-24));
  });

  it("gives a link through the ad-hoc command, and sends one to an address typed on the page", async () => {
    const result = await alice.request(executeIq(bot.jid, LOGIN_NODE));
    const note = result.getChild("command")?.getChildText("note") ?? "";
    const visitor = new ConsoleVisitor(webUrl);
    await logIn(visitor, linkIn(note));

    const stranger = new ConsoleVisitor(webUrl);
    const form = await stranger.get("/console");
    const answer = await stranger.post("/console/link", form.body, { address: "alice@localhost" });
    expect(textOf(answer.body, { className: "link-sent" })).toBe(
      "If alice@localhost is an account here, a login link is on its way to it.",
    );
    const message = await alice.nextMessage({ from: bot.jid, type: "chat", body: /console\/login\// });
    await logIn(stranger, linkIn(message.getChildText("body") ?? ""));
    expect(stranger.sessionCookie).toMatch(/^[A-Za-z0-9_-]{24}$/u);
  });

  it("keeps only hashes in Redis, under the bot's keys", async () => {
    const keys = await world.redis.keys("invite:{localhost}:console-*");
    expect(keys.length).toBeGreaterThan(0);
    const visitor = new ConsoleVisitor(webUrl);
    await logIn(visitor, linkIn(await ask(alice, "login")));
    const cookie = visitor.sessionCookie ?? "";
    const all = (await world.redis.keys("invite:{localhost}:console-*")).join(" ");
    expect(all).not.toContain(cookie);
    expect(all).toContain("console-by:alice@localhost");
    expect(bot.logs.join("")).not.toContain(cookie);
  });
});
