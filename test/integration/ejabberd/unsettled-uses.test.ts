/**
 * Every use is recorded exactly once on the bot's path too (docs/storage.md, "Unsettled uses"), whatever happens
 * between the claim and the record: the bot stopped before its record reached Redis, the bot stopped while its claim
 * was on the way (no account made), or Redis away for a moment when the record goes out. A private ejabberd 23.01
 * with the bot as the registration hook; the bot's Redis is reached through a proxy that holds or drops commands.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventsKey, invitedByKey, recordKey, unsettledKey } from "../../../src/storage/keys.js";
import { tokenHash } from "../../../src/storage/record.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { uniqueName } from "../../helpers/names.js";
import { type RedisProxy, startRedisProxy } from "../../helpers/redis-proxy.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";
import { runs, sharedScript } from "../../helpers/shared-scripts.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { canLogIn } from "../../helpers/xmpp-user.js";

const CLAIM = sharedScript("claim.lua");
const SETTLE = sharedScript("settle.lua");
/** The bot's sweep, shortened from a minute so that the next run settles at once. */
const SETTLE_AFTER_MS = 300;

let ejabberd: EjabberdServer;
let redis: RedisServer;
let raw: RawRedis;
let proxy: RedisProxy;
let bot: TestBot;
let webUrl: string;
let webPort: number | undefined;

/** The bot, on the same web port as the run before it. */
async function startTheBot(): Promise<TestBot> {
  const started = await startWebBot(
    (web) =>
      startBot(
        { service: ejabberd.service, redisUrl: proxy.urlFor(redis.botUrl) },
        "bot",
        {
          ...web,
          ADMIN_JIDS: "admin@localhost",
          REGISTRATION: "bot",
          WEB_VIEWS_PER_MINUTE: "100000",
          WEB_ATTEMPTS_PER_10_MINUTES: "100000",
        },
        { settleAfterMs: SETTLE_AFTER_MS },
      ),
    "bot",
    webPort,
  );
  ({ webUrl, port: webPort } = started);
  return started.bot;
}

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: false }), startRedis()]);
  for (const name of ["bot", "admin"]) await ejabberd.register(name, `${name}-password`);
  proxy = await startRedisProxy(redis.port);
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  // Redis knows the scripts from the start: a command held on the way is the script itself, not a NOSCRIPT try.
  for (const script of [CLAIM, SETTLE]) expect(await raw.scriptLoad(script.source)).toBe(script.sha);
  bot = await startTheBot();
});

afterAll(async () => {
  await bot?.stop();
  raw?.destroy();
  await proxy?.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

// A test that dropped the bot's Redis connections starts the next only once the bot reaches Redis again.
beforeEach(async () => {
  const { claims } = bot.app.storage;
  if (claims === undefined) throw new Error("the Redis backend takes claims");
  await eventually(async () => expect(await claims.unsettled(3_600_000)).toBeDefined(), 15_000);
});

async function accountInvite(): Promise<{ token: string; landingUrl: string }> {
  const { invite, landingUrl } = await bot.app.service.createAccountInvite(
    actorFor("admin@localhost", bot.app.service.policy),
    "admin@localhost/web",
  );
  return { token: invite.token, landingUrl };
}

/** Fills in the invite's form for `username`; resolves with the page's status. */
async function register(landingUrl: string, username: string): Promise<number> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
  const done = await visitor.submit(form, { username, password: "sweep-password", password_again: "sweep-password" });
  return done.status;
}

async function usesRecorded(token: string): Promise<number> {
  const entries = await raw.xRange(eventsKey("localhost"), "-", "+");
  return entries.filter((entry) => entry.message.invite === inviteId(token)).length;
}

/** The entries of invite:{localhost}:unsettled whose event names this invite. */
async function unsettledOf(token: string): Promise<number> {
  const entries = await raw.hGetAll(unsettledKey("localhost"));
  return Object.values(entries).filter(
    (text) => (JSON.parse(text) as { event?: { invite?: string } }).event?.invite === inviteId(token),
  ).length;
}

/** Stops the bot, drops what it was sending to Redis on the way, and starts the next run. */
async function restartBot(): Promise<void> {
  await bot.stop();
  proxy.dropConnections();
  bot = await startTheBot();
}

describe("the bot stopped right after a registration, before its record reached Redis", () => {
  it("has the next run find the account and record the use, once", async () => {
    const { token, landingUrl } = await accountInvite();
    const name = uniqueName("swept");
    const held = proxy.holdCommandsFrom((command) => runs(SETTLE, command));
    const status = register(landingUrl, name);
    await held;
    expect(await status).toBe(200);
    expect(await unsettledOf(token)).toBe(1);

    await restartBot();
    await eventually(async () => expect(await usesRecorded(token)).toBe(1), 20_000);
    expect(await unsettledOf(token)).toBe(0);
    expect(await raw.get(invitedByKey("localhost", `${name}@localhost`))).toBe("admin@localhost");
    expect(await bot.events.waitFor("use-settled")).toEqual({ jid: `${name}@localhost`, outcome: "stands" });
    expect(bot.events.all("use-settled")).toHaveLength(1);
  }, 60_000);
});

describe("the bot stopped while its claim was on the way", () => {
  it("has the next run find no account and give the use back, recording nothing", async () => {
    const { token, landingUrl } = await accountInvite();
    const name = uniqueName("unmade");
    const held = proxy.holdRepliesAfter((command) => runs(CLAIM, command));
    const status = register(landingUrl, name);
    await held;
    // The claim ran in Redis: the use is taken, and its entry written with it.
    expect(await raw.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
    expect(await unsettledOf(token)).toBe(1);
    expect(await status).toBe(503);

    await restartBot();
    await eventually(async () => expect(await raw.exists(recordKey("localhost", tokenHash(token)))).toBe(1), 20_000);
    expect(await unsettledOf(token)).toBe(0);
    expect(await usesRecorded(token)).toBe(0);
    expect(await canLogIn(ejabberd.service, `${name}@localhost`, "sweep-password")).toBe(false);
    // The invite works again, once.
    expect(await register(landingUrl, uniqueName("after"))).toBe(200);
    await eventually(async () => expect(await usesRecorded(token)).toBe(1));
  }, 60_000);
});

describe("Redis away for a moment when the bot records a use", () => {
  it("is recorded once Redis answers again, by the same run", async () => {
    const { token, landingUrl } = await accountInvite();
    const name = uniqueName("retried");
    const held = proxy.holdCommandsFrom((command) => runs(SETTLE, command));
    const status = register(landingUrl, name);
    await held;
    expect(await status).toBe(200);
    proxy.dropConnections();

    await eventually(async () => expect(await usesRecorded(token)).toBe(1), 20_000);
    expect(await unsettledOf(token)).toBe(0);
    expect(await canLogIn(ejabberd.service, `${name}@localhost`, "sweep-password")).toBe(true);
  }, 60_000);
});
