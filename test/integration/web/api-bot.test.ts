/**
 * The HTTP API as the bot serves it (docs/api.md): started by the app beside the invite pages and the console, on
 * the same web server, with its keys in the app's Redis backend. An admin makes a key over chat, the key lists the
 * invites over HTTP, and once revoked over chat it is refused; a user may make no key. Nothing here is Prosody-side.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBot } from "../../helpers/bot.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import type { TestUser } from "../../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let webUrl: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot((web) => world.startBot("bot", web), "server"));
  [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(bot.jid, body)).getChildText("body") ?? "";
}

const listInvites = (key: string) => fetch(`${webUrl}/api/v1/invites`, { headers: { authorization: `Bearer ${key}` } });

describe("the HTTP API of the running bot", () => {
  it("serves its OpenAPI document beside the pages", async () => {
    const answer = await fetch(`${webUrl}/api/v1/openapi.json`);
    expect(answer.status).toBe(200);
    const document = (await answer.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/api/v1/invites", "/api/v1/invites/{id}"]));
    // The pages are still pages.
    expect((await fetch(`${webUrl}/`)).headers.get("content-type")).toMatch(/^text\/html/u);
  });

  it("takes a key an admin made over chat, and refuses it once revoked over chat", async () => {
    const made = await ask(admin, "apikey create ci-system manage");
    const key = /xib_[A-Za-z0-9_-]{43}/u.exec(made)?.[0];
    expect(key, made).toBeDefined();
    const invite = await ask(admin, "invite account");
    expect(invite).toMatch(/xmpp:localhost\?register;preauth=/u);

    const listed = await listInvites(key ?? "");
    expect(listed.status).toBe(200);
    const page = (await listed.json()) as { invites: { kind: string }[] };
    expect(page.invites.length).toBeGreaterThan(0);

    expect(await ask(admin, "apikey revoke ci-system")).toMatch(/revoked/iu);
    const refused = await listInvites(key ?? "");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/u);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/u);
  });

  it("gives a user who is no admin no key", async () => {
    const answer = await ask(alice, "apikey create mine create");
    expect(answer).not.toMatch(/xib_/u);
    expect((await listInvites(`xib_${"A".repeat(43)}`)).status).toBe(401);
  });
});
