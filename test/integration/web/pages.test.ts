/**
 * The invite pages against the private Prosody + Redis, with the real bot serving them (WEB_LISTEN): invites
 * made through the real ad-hoc commands, accounts made through the page and checked over XMPP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_INVITE_NODE as ACCOUNT,
  CONTACT_INVITE_NODE as CONTACT,
} from "../../../src/commands/invite-commands.js";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { executeIq, formValues, tokenOf } from "../../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../../helpers/bot.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { type WebPage, WebVisitor } from "../../helpers/web-client.js";
import { textOf } from "../../helpers/web-form.js";
import { connectUser, subscriptionOf, type TestUser } from "../../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let webUrl: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot(
    (web) =>
      world.startBot("bot", {
        ...web,
        SITE_NAME: "Localhost Chat",
        ALLOW_USER_INVITES: "true",
        // Found out at start-up from our module's disco feature (docs/servers.md).
        REGISTRATION: "auto",
      }),
    "server",
  ));
  [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

/** Runs an invite command with `complete` and returns its landing-url. */
async function landingUrl(user: TestUser, node: string): Promise<string> {
  const reply = await user.requestRaw(executeIq(bot.jid, node, { action: "complete" }));
  const values = formValues(reply.getChild("command")?.getChild("x"));
  expect(values["landing-url"], reply.toString()).toBe(`${webUrl}/invite/${tokenOf(values.uri)}`);
  return values["landing-url"] ?? "";
}

function visitor(): WebVisitor {
  return new WebVisitor(webUrl);
}

async function logIn(username: string, password: string): Promise<TestUser | undefined> {
  return connectUser({
    service: world.servers.service,
    domain: "localhost",
    username,
    password,
    timeoutMs: 5_000,
  }).then(
    (user) => {
      world.users.push(user);
      return user;
    },
    () => undefined,
  );
}

async function register(page: WebPage, username: string, password: string, who = visitor()): Promise<WebPage> {
  const form = await who.follow(page, "create-account");
  expect(form.status).toBe(200);
  return who.submit(form, { username, password, password_again: password });
}

describe("an account invite from the ad-hoc command", () => {
  it("leads to a page where the newcomer creates an account that logs in over XMPP, once", async () => {
    const url = await landingUrl(admin, ACCOUNT);
    const web = visitor();
    const landing = await web.get(url);
    expect(landing.status).toBe(200);
    expect(landing.body).toContain("admin@localhost invites you to create an account on Localhost Chat.");
    expect(landing.headers.get("link")).toMatch(/^<xmpp:localhost\?register;preauth=[\w-]{24}>; rel="alternate"$/u);
    const done = await register(landing, "webby", "webby-password-1", web);
    expect(done.status).toBe(200);
    expect(done.body).toContain("Welcome, webby@localhost!");
    const webby = await logIn("webby", "webby-password-1");
    expect(webby?.bareJid).toBe("webby@localhost");

    const again = await web.get(url);
    expect(again.status).toBe(404);
    expect(again.body).toContain("This invite link is no longer valid");
  });

  it("says a taken username is taken, keeps the invite usable, and accepts the corrected name", async () => {
    const landing = await visitor().get(await landingUrl(admin, ACCOUNT));
    const web = visitor();
    const form = await web.follow(landing, "create-account");
    const taken = await web.submit(form, { username: "alice", password: "pw-1234567", password_again: "pw-1234567" });
    expect(taken.status).toBe(409);
    expect(textOf(taken.body, { id: "username-error" })).toBe(
      "This username is already taken. Please choose another one.",
    );
    expect(taken.body).toContain('value="alice"');
    expect(taken.body).not.toContain("pw-1234567");
    const fixed = await web.submit(taken, { username: "alicia", password: "pw-1234567", password_again: "pw-1234567" });
    expect(fixed.status).toBe(200);
    expect(await logIn("alicia", "pw-1234567")).toBeDefined();
  });
});

describe("an account-and-contact invite", () => {
  it("makes the newcomer and the inviter mutual contacts", async () => {
    const url = await landingUrl(alice, CONTACT);
    const landing = await visitor().get(url);
    expect(landing.body).toContain("<h1>alice@localhost invites you to chat</h1>");
    expect(landing.headers.get("link")).toMatch(/\?roster;preauth=[\w-]{24};ibr=y>/u);
    const done = await register(landing, "friend", "friend-password");
    expect(done.body).toContain("alice@localhost is already in your contacts.");
    const friend = await logIn("friend", "friend-password");
    if (friend === undefined) throw new Error("the new account cannot log in");
    expect(subscriptionOf(await friend.roster(), "alice@localhost")).toBe("both");
    expect(subscriptionOf(await alice.roster(), "friend@localhost")).toBe("both");
  });
});

describe("invites the page no longer shows", () => {
  it("answers 404 for used, expired, revoked and made-up tokens", async () => {
    const service = bot.app.service;
    const actor = actorFor("admin@localhost", service.policy);
    const revoked = await service.createAccountInvite(actor, "admin@localhost/x");
    await service.revokeInvite(actor, inviteId(revoked.invite.token));
    const expiring = await service.createAccountInvite(actor, "admin@localhost/x", { ttlSeconds: 1 });
    for (const url of [revoked.landingUrl, `${webUrl}/invite/madeUpTokenAAAAAAAAAAAAA`]) {
      expect((await visitor().get(url)).status, url).toBe(404);
    }
    await eventually(async () => expect((await visitor().get(expiring.landingUrl)).status).toBe(404), 5_000);
  });
});

describe("a bound invite", () => {
  it("registers only the bound username, shown fixed on the form", async () => {
    const { landingUrl: url } = await bot.app.service.createAccountInvite(
      actorFor("admin@localhost", bot.app.service.policy),
      "admin@localhost/x",
      { username: "bound1" },
    );
    const web = visitor();
    const form = await web.follow(await web.get(url), "create-account");
    expect(form.body).toMatch(/value="bound1"[^>]* readonly/u);
    const done = await web.submit(form, {
      username: "someone-else",
      password: "b-password",
      password_again: "b-password",
    });
    expect(done.body).toContain("Welcome, bound1@localhost!");
    expect(await logIn("bound1", "b-password")).toBeDefined();
    expect(await logIn("someone-else", "b-password")).toBeUndefined();
  });
});

describe("a password reset link", () => {
  it("sets a new password for that account; the old one is refused", async () => {
    await world.servers.prosody.register("forgetful", "localhost", "old-password");
    const { landingUrl: url } = await bot.app.service.createPasswordResetInvite(
      actorFor("admin@localhost", bot.app.service.policy),
      "admin@localhost/x",
      "forgetful@localhost",
    );
    const web = visitor();
    const page = await web.get(url);
    expect(page.body).toContain("Set a new password for forgetful@localhost");
    const done = await web.submit(page, {
      username: "admin",
      password: "new-password",
      password_again: "new-password",
    });
    expect(done.body).toContain("Your password was changed");
    expect(await logIn("forgetful", "new-password")).toBeDefined();
    expect(await logIn("forgetful", "old-password")).toBeUndefined();
    expect(await logIn("admin", "new-password")).toBeUndefined();
  });
});

describe("safety", () => {
  it("creates nothing from a forged POST", async () => {
    const url = await landingUrl(admin, ACCOUNT);
    const web = visitor();
    const form = await web.follow(await web.get(url), "create-account");
    const fields = { username: "forged", password: "forged-pw", password_again: "forged-pw" };
    const crossSite = await web.submit(form, fields, {
      origin: "http://evil.localhost",
      "sec-fetch-site": "cross-site",
    });
    expect(crossSite.status).toBe(403);
    const noCookie = await visitor().submit(form, fields);
    expect(noCookie.status).toBe(403);
    expect(await logIn("forged", "forged-pw")).toBeUndefined();
    expect((await web.get(url)).status).toBe(200);
  });

  it("answers hostile requests over HTTP with 4xx pages, never a 5xx", async () => {
    const url = await landingUrl(admin, ACCOUNT);
    const requests: Array<[string, RequestInit]> = [
      [`${url}/register`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }],
      [
        `${url}/register`,
        {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", origin: webUrl },
          body: "a=".padEnd(50_000, "b"),
        },
      ],
      [`${url}/register`, { method: "PATCH" }],
      [`${webUrl}/invite/${"%00".repeat(40)}`, { method: "GET" }],
      [`${webUrl}/invite/..%2F..%2Fetc%2Fpasswd`, { method: "GET" }],
      [`${webUrl}/assets/../../package.json`, { method: "GET" }],
    ];
    for (const [target, init] of requests) {
      const response = await fetch(target, init);
      expect(response.status, `${init.method} ${target}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${init.method} ${target}`).toBeLessThan(500);
      expect(await response.text()).toContain("<!doctype html>");
    }
    expect((await visitor().get(url)).status).toBe(200);
  });

  it("never logs a password, nor a whole token", async () => {
    const all = bot.logs.join("");
    for (const secret of ["webby-password-1", "friend-password", "new-password", "pw-1234567"]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/preauth=[\w-]{24}/u);
  });
});
