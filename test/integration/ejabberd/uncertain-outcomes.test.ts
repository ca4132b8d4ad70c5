/**
 * Uses are never doubled or lost on the bot's path (docs/security.md): a private ejabberd 23.01 with the bot as
 * the registration hook, reached through an XMPP proxy that holds the server's answer to add-user (or the request
 * itself), and a Redis reached through a proxy that holds the claim's answer past REDIS_TIMEOUT_MS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventsKey } from "../../../src/storage/keys.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { type RedisProxy, startRedisProxy } from "../../helpers/redis-proxy.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { type WebPage, WebVisitor } from "../../helpers/web-client.js";
import { startXmppProxy, type XmppProxy } from "../../helpers/xmpp-proxy.js";
import { canLogIn, connectUser, type TestUser } from "../../helpers/xmpp-user.js";

/** The documented answer time of a registration through the pages (docs/web.md), with room for the page itself. */
const ANSWER_WITHIN_MS = 11_000;
const ADD_USER_COMPLETE = /#add-user" action="complete"/u;

let ejabberd: EjabberdServer;
let redis: RedisServer;
let raw: RawRedis;
let xmppProxy: XmppProxy;
let redisProxy: RedisProxy;
let bot: TestBot;
let admin: TestUser;
let webUrl: string;

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: false }), startRedis()]);
  for (const name of ["bot", "admin"]) await ejabberd.register(name, `${name}-password`);
  [xmppProxy, redisProxy] = await Promise.all([startXmppProxy(ejabberd.port), startRedisProxy(redis.port)]);
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  ({ bot, webUrl } = await startWebBot(
    (web) =>
      startBot({ service: xmppProxy.service, redisUrl: redisProxy.urlFor(redis.botUrl) }, "bot", {
        ...web,
        ADMIN_JIDS: "admin@localhost",
        REGISTRATION: "bot",
        WEB_VIEWS_PER_MINUTE: "100000",
        WEB_ATTEMPTS_PER_10_MINUTES: "100000",
      }),
    "bot",
  ));
  admin = await connectUser({
    service: ejabberd.service,
    domain: "localhost",
    username: "admin",
    password: "admin-password",
  });
});

afterAll(async () => {
  await admin?.stop();
  await bot?.stop();
  raw?.destroy();
  await Promise.allSettled([xmppProxy?.stop(), redisProxy?.stop()]);
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

async function accountInvite(): Promise<{ landingUrl: string; id: string }> {
  const { invite, landingUrl } = await bot.app.service.createAccountInvite(
    actorFor("admin@localhost", bot.app.service.policy),
    "admin@localhost/web",
  );
  return { landingUrl, id: inviteId(invite.token) };
}

async function formOf(landingUrl: string): Promise<{ visitor: WebVisitor; form: WebPage }> {
  const visitor = new WebVisitor(webUrl);
  return { visitor, form: await visitor.follow(await visitor.get(landingUrl), "create-account") };
}

/** Submits the form and measures how long the visitor waited. */
async function timedSubmit(
  visitor: WebVisitor,
  form: WebPage,
  username: string,
): Promise<{ page: WebPage; waitedMs: number }> {
  const started = Date.now();
  const page = await visitor.submit(form, { username, password: "held-password", password_again: "held-password" });
  return { page, waitedMs: Date.now() - started };
}

async function usesRecorded(id: string): Promise<number> {
  const entries = await raw.xRange(eventsKey("localhost"), "-", "+");
  return entries.filter((entry) => entry.message.invite === id).length;
}

async function registers(landingUrl: string, username: string): Promise<boolean> {
  const { visitor, form } = await formOf(landingUrl);
  const done = await visitor.submit(form, { username, password: "after-password", password_again: "after-password" });
  return done.status === 200;
}

describe("the server's answer to add-user comes after the deadline", () => {
  it("answers the visitor within 10 s, finds the account made, keeps the use and records it once", async () => {
    const { landingUrl, id } = await accountInvite();
    const { visitor, form } = await formOf(landingUrl);
    const held = xmppProxy.holdAfter(ADD_USER_COMPLETE, "answers");
    const { page, waitedMs } = await timedSubmit(visitor, form, "heldanswer");
    await held;
    expect(page.status).toBe(503);
    expect(waitedMs).toBeLessThan(ANSWER_WITHIN_MS);
    xmppProxy.release();

    const settled = await bot.events.waitFor("use-settled", {
      matches: ({ jid }) => jid === "heldanswer@localhost",
      ms: 15_000,
    });
    expect(settled.outcome).toBe("stands");
    expect(await canLogIn(ejabberd.service, "heldanswer@localhost", "held-password")).toBe(true);
    expect(await usesRecorded(id)).toBe(1);
    // The invite was single use: nobody else registers with it.
    expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(404);
    // The inviter is told once (the help answer after it shows that nothing else is on its way).
    const botBare = bot.jid.split("/")[0] ?? "";
    await admin.nextMessage({ from: botBare, type: "chat", body: /^heldanswer@localhost /u }, 10_000);
    await admin.ask(botBare, "help", 10_000);
    const aboutIt = admin.received.filter((s) => (s.getChildText("body") ?? "").includes("heldanswer@localhost"));
    expect(aboutIt).toHaveLength(1);
    expect(await usesRecorded(id)).toBe(1);
  }, 60_000);
});

describe("the connection is lost after add-user's complete was sent", () => {
  it("finds out that the account was not made and gives the use back", async () => {
    const { landingUrl } = await accountInvite();
    const { visitor, form } = await formOf(landingUrl);
    const held = xmppProxy.holdAfter(ADD_USER_COMPLETE, "requests");
    const answer = timedSubmit(visitor, form, "neverarrived");
    await held;
    xmppProxy.dropConnections();
    const { page, waitedMs } = await answer;
    expect(page.status).toBe(503);
    expect(waitedMs).toBeLessThan(ANSWER_WITHIN_MS);

    const settled = await bot.events.waitFor("use-settled", {
      matches: ({ jid }) => jid === "neverarrived@localhost",
      ms: 20_000,
    });
    expect(settled.outcome).toBe("given-back");
    expect(await canLogIn(ejabberd.service, "neverarrived@localhost", "held-password")).toBe(false);
    expect(await registers(landingUrl, "arrivedlater")).toBe(true);
    expect(await canLogIn(ejabberd.service, "arrivedlater@localhost", "after-password")).toBe(true);
  }, 60_000);
});

describe("Redis answers the claim after REDIS_TIMEOUT_MS", () => {
  const isClaim = (command: readonly string[]): boolean =>
    /^EVAL(SHA)?$/iu.test(command[0] ?? "") && command.some((part) => part.includes(":used:"));

  it("gives the use back once the late answer comes, and the invite works again", async () => {
    const { landingUrl, id } = await accountInvite();
    const { visitor, form } = await formOf(landingUrl);
    const held = redisProxy.holdRepliesAfter(isClaim);
    const { page } = await timedSubmit(visitor, form, "lateclaim");
    await held;
    expect(page.status).toBe(503);
    redisProxy.release();

    await eventually(async () => expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(200));
    expect(await registers(landingUrl, "afterlateclaim")).toBe(true);
    expect(await canLogIn(ejabberd.service, "lateclaim@localhost", "held-password")).toBe(false);
    expect(await usesRecorded(id)).toBe(1);
  }, 60_000);

  it("gives the use back on the next connection when the answer never comes", async () => {
    const { landingUrl } = await accountInvite();
    const { visitor, form } = await formOf(landingUrl);
    const held = redisProxy.holdRepliesAfter(isClaim);
    const { page } = await timedSubmit(visitor, form, "lostclaim");
    await held;
    expect(page.status).toBe(503);
    redisProxy.dropConnections();

    await eventually(async () => expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(200), 15_000);
    expect(await registers(landingUrl, "afterlostclaim")).toBe(true);
  }, 60_000);
});

describe("afterwards", () => {
  it("has settled every claim: no use is waiting, and no claim marker is left in Redis", async () => {
    await eventually(async () => expect(await raw.keys("invite:{localhost}:claim:*")).toEqual([]));
  });
});
