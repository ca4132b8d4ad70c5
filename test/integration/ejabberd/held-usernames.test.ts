/**
 * Usernames held for bound invites (issue 25 point 4) where the bot makes the accounts (ejabberd 23.01, XEP-0133):
 * while an invite bound to a name is pending, the web page refuses that name to another invite before anything is
 * claimed or asked of the server, and the invite stays usable; the bound invite registers it; once the bound invite
 * is revoked or expired, the name is free again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { uniqueName } from "../../helpers/names.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { type WebPage, WebVisitor } from "../../helpers/web-client.js";
import { textOf } from "../../helpers/web-form.js";
import { canLogIn } from "../../helpers/xmpp-user.js";

/** The lifetime of the bound invite that expires in a test below. */
const HOLD_SECONDS = 8;

const HELD_ON_PAGE = "This username is kept for someone who was invited by name. Please choose another one.";

let ejabberd: EjabberdServer;
let redis: RedisServer;
let bot: TestBot | undefined;
let webUrl: string;

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: false }), startRedis()]);
  for (const name of ["bot", "admin"]) await ejabberd.register(name, `${name}-password`);
  const started = await startWebBot(async (web) => {
    bot = await startBot({ service: ejabberd.service, redisUrl: redis.botUrl }, "bot", {
      ...web,
      ADMIN_JIDS: "admin@localhost",
      REGISTRATION: "auto",
      WEB_VIEWS_PER_MINUTE: "100000",
      WEB_ATTEMPTS_PER_10_MINUTES: "100000",
      XMPP_RESOURCE: "held-web",
    });
    return bot;
  }, "bot");
  webUrl = started.webUrl;
});

afterAll(async () => {
  await bot?.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

function service() {
  if (bot === undefined) throw new Error("the bot did not start");
  return bot.app.service;
}

function adminActor() {
  return actorFor("admin@localhost", service().policy);
}

async function invite(options: { username?: string; ttlSeconds?: number } = {}) {
  const created = await service().createAccountInvite(adminActor(), "admin@localhost/tests", options);
  return { token: created.invite.token, landingUrl: created.landingUrl };
}

async function submit(landingUrl: string, username: string): Promise<WebPage> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
  return visitor.submit(form, { username, password: "ej-password", password_again: "ej-password" });
}

async function expectHeld(landingUrl: string, name: string): Promise<void> {
  const before = await ejabberd.registeredUsers();
  const page = await submit(landingUrl, name);
  expect(page.status).toBe(409);
  expect(textOf(page.body, { id: "username-error" })).toBe(HELD_ON_PAGE);
  expect(await ejabberd.registeredUsers()).toEqual(before);
}

describe("usernames held for bound invites, ejabberd (the bot makes the accounts)", () => {
  it("refuses a held name to another invite, keeps that invite usable, and lets the bound invite have it", async () => {
    const name = uniqueName("held");
    const bound = await invite({ username: name });
    const open = await invite();

    await expectHeld(open.landingUrl, name);
    await expectHeld(open.landingUrl, name.toUpperCase());

    const other = uniqueName("free");
    expect((await submit(open.landingUrl, other)).status).toBe(200);
    expect(await canLogIn(ejabberd.service, `${other}@localhost`, "ej-password")).toBe(true);

    expect((await submit(bound.landingUrl, name)).status).toBe(200);
    expect(await canLogIn(ejabberd.service, `${name}@localhost`, "ej-password")).toBe(true);
  });

  it("frees the name when the bound invite is revoked", async () => {
    const name = uniqueName("revoked");
    const bound = await invite({ username: name });
    const open = await invite();
    await expectHeld(open.landingUrl, name);

    await service().revokeInvite(adminActor(), inviteId(bound.token));
    expect((await submit(open.landingUrl, name)).status).toBe(200);
    expect(await canLogIn(ejabberd.service, `${name}@localhost`, "ej-password")).toBe(true);
  });

  it("frees the name when the bound invite expires", async () => {
    const name = uniqueName("expired");
    // Long enough that the name is still held when the other invite tries it, on a loaded machine too.
    await invite({ username: name, ttlSeconds: HOLD_SECONDS });
    const open = await invite();
    await expectHeld(open.landingUrl, name);

    // A try a second: the page lets one invite be posted 20 times an hour.
    const freed = async () => expect((await submit(open.landingUrl, name)).status).toBe(200);
    await eventually(freed, (HOLD_SECONDS + 10) * 1000, 1_000);
    expect(await canLogIn(ejabberd.service, `${name}@localhost`, "ej-password")).toBe(true);
  });

  it("refuses a second invite bound to a held name", async () => {
    const name = uniqueName("twice");
    await invite({ username: name });
    const refused = await invite({ username: name }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "username-held-by-invite", params: { username: name } });
  });
});
