/**
 * A bot stopped in the middle of a circle join finishes the join at its next start (docs/circles.md, "Where the bot
 * makes the accounts instead"; docs/storage.md, "Unsettled uses"): a private ejabberd 23.01 with its HTTP API and
 * the bot as the registration hook. The bot's Redis is reached through a proxy that holds its commands from a chosen
 * one on: the account exists (or, for an existing account, its request came), the join was never begun or was left
 * half done, and the use was not recorded. The next run's sweep makes the account a member and every member's mutual
 * contact under the circle's name, and records exactly one use event.
 */
import type { Element } from "@xmpp/xml";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { circleMembersKey, eventsKey } from "../../../src/storage/keys.js";
import { tokenOf } from "../../helpers/adhoc-client.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { uniqueName } from "../../helpers/names.js";
import { type RedisProxy, startRedisProxy } from "../../helpers/redis-proxy.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";
import { runs, sharedScript } from "../../helpers/shared-scripts.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { connectUser, subscribeWithInvite, type TestUser } from "../../helpers/xmpp-user.js";

const ADD_MEMBER = sharedScript("circle_add_member.lua");
const CLAIM = sharedScript("claim.lua");
const SETTLE = sharedScript("settle.lua");
/** The bot's sweep, shortened from a minute so that the next run settles at once. */
const SETTLE_AFTER_MS = 300;
const MEMBERS = ["ann", "ben", "cat"];
const BOT = "bot@localhost";

let ejabberd: EjabberdServer;
let redis: RedisServer;
let raw: RawRedis;
let proxy: RedisProxy;
let bot: TestBot;
let webUrl: string;
let webPort: number | undefined;
const users: TestUser[] = [];

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
          EJABBERD_API_URL: ejabberd.apiUrl,
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
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: [BOT], api: true }), startRedis()]);
  for (const name of ["bot", "admin", "leo", ...MEMBERS]) await ejabberd.register(name, `${name}-password`);
  proxy = await startRedisProxy(redis.port);
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  // Redis knows the scripts from the start: a command held on the way is the script itself, not a NOSCRIPT try.
  for (const script of [ADD_MEMBER, CLAIM, SETTLE]) expect(await raw.scriptLoad(script.source)).toBe(script.sha);
  bot = await startTheBot();
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(users.map((user) => user.stop()));
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

const admin = () => actorFor("admin@localhost", bot.app.service.policy);

async function logIn(username: string, password = `${username}-password`): Promise<TestUser> {
  const user = await connectUser({
    service: ejabberd.service,
    domain: "localhost",
    username,
    password,
    timeoutMs: 5_000,
  });
  users.push(user);
  return user;
}

/** jid → "subscription group,group" for every item of a roster. */
function itemsOf(roster: Element): Record<string, string> {
  return Object.fromEntries(
    roster.getChildren("item").map((item) => [
      item.attrs.jid as string,
      `${item.attrs.subscription} ${item
        .getChildren("group")
        .map((group) => group.getText())
        .join(",")}`,
    ]),
  );
}

/** A circle of the three members and an admin's invite to it. */
async function inviteToCircle(name: string): Promise<{ circleId: string; token: string; landingUrl: string }> {
  const circle = await bot.app.circles.create(admin(), name, { members: MEMBERS.map((m) => `${m}@localhost`) });
  const { invite, landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", {
    circles: [circle.id],
  });
  return { circleId: circle.id, token: tokenOf(invite.uri), landingUrl };
}

/** The invite's form for a new account; `submit` sends it for `username`, resolving with the page's status. */
async function accountForm(landingUrl: string): Promise<{ submit(username: string): Promise<number> }> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
  return {
    submit: async (username) => {
      const password = `${username}-password`;
      return (await visitor.submit(form, { username, password, password_again: password })).status;
    },
  };
}

/** The use events of this invite, as Redis holds them. */
async function usesOf(token: string): Promise<Record<string, string>[]> {
  const entries = await raw.xRange(eventsKey("localhost"), "-", "+");
  return entries.map((entry) => entry.message).filter((message) => message.invite === inviteId(token));
}

/** Stops the bot, drops what it was sending to Redis on the way, and starts the next run. */
async function restartBot(): Promise<void> {
  await bot.stop();
  proxy.dropConnections();
  bot = await startTheBot();
}

/** Each member, logged in once for all the tests. */
const memberSessions = new Map<string, Promise<TestUser>>();
function member(name: string): Promise<TestUser> {
  const session = memberSessions.get(name) ?? logIn(name);
  memberSessions.set(name, session);
  return session;
}

/** `jid` is a member of the circle, once, and every member's mutual contact filed under `circleName`, on both sides, once. */
async function expectJoined(circleId: string, circleName: string, jid: string, own: TestUser): Promise<void> {
  const members = Object.keys(await raw.hGetAll(circleMembersKey("localhost", circleId))).sort();
  expect(members).toEqual([...MEMBERS.map((m) => `${m}@localhost`), jid].sort());
  const roster = itemsOf(await own.roster());
  for (const m of MEMBERS) expect(roster[`${m}@localhost`]).toBe(`both ${circleName}`);
  for (const m of MEMBERS) {
    const theirs = await (await member(m)).roster();
    expect(theirs.getChildren("item").filter((item) => item.attrs.jid === jid)).toHaveLength(1);
    expect(itemsOf(theirs)[jid]).toBe(`both ${circleName}`);
  }
}

describe("the bot stopped after making the account, before the circle join", () => {
  it("has the next run join the circle (member, contacts under its name) and record one use", async () => {
    const { circleId, token, landingUrl } = await inviteToCircle("Family");
    const name = uniqueName("zoe");
    const jid = `${name}@localhost`;
    const form = await accountForm(landingUrl);
    // Nothing of the join reaches Redis: the member is never added, and neither is the use recorded.
    const held = proxy.holdCommandsFrom((command) => runs(ADD_MEMBER, command));
    const status = form.submit(name);
    await held;
    expect(await status).toBe(200);
    expect(await raw.hExists(circleMembersKey("localhost", circleId), jid)).toBe(0);
    expect(await usesOf(token)).toEqual([]);

    await restartBot();
    expect(await bot.events.waitFor("use-settled", { ms: 20_000 })).toEqual({ jid, outcome: "stands" });
    await eventually(async () => expect(await usesOf(token)).toHaveLength(1));
    expect((await usesOf(token))[0]).toMatchObject({ kind: "registered", invitee: jid, inviter: "admin@localhost" });
    await expectJoined(circleId, "Family", jid, await logIn(name));
    expect(bot.events.all("use-settled")).toHaveLength(1);
  }, 60_000);
});

describe("the bot stopped half-way through the circle join", () => {
  it("has the next run make the contacts of the member it had added, adding nobody twice", async () => {
    const { circleId, token, landingUrl } = await inviteToCircle("Cousins");
    const name = uniqueName("amy");
    const jid = `${name}@localhost`;
    // The member is added; the members are never read back, so no contact is made.
    const form = await accountForm(landingUrl);
    let added = false;
    const held = proxy.holdCommandsFrom((command) => {
      if (runs(ADD_MEMBER, command)) added = true;
      return added && command[0]?.toUpperCase() === "HGETALL";
    });
    const status = form.submit(name);
    await held;
    expect(await status).toBe(200);
    expect(await raw.hExists(circleMembersKey("localhost", circleId), jid)).toBe(1);
    expect(itemsOf(await (await logIn(name)).roster())).toEqual({});
    expect(await usesOf(token)).toEqual([]);

    await restartBot();
    expect(await bot.events.waitFor("use-settled", { ms: 20_000 })).toEqual({ jid, outcome: "stands" });
    await eventually(async () => expect(await usesOf(token)).toHaveLength(1));
    await expectJoined(circleId, "Cousins", jid, await logIn(name));
  }, 60_000);
});

describe("the bot stopped during an existing account's join through the invite's link", () => {
  it("has the next run join the account and record one `joined` use", async () => {
    const { circleId, token } = await inviteToCircle("Neighbours");
    const leo = await logIn("leo");
    const held = proxy.holdCommandsFrom((command) => runs(ADD_MEMBER, command));
    await subscribeWithInvite(leo, BOT, token);
    await held;
    // The join gave up on Redis and went on to keep the use, which is held too.
    await proxy.waitForCommand((command) => runs(SETTLE, command), { timeoutMs: 15_000 });
    expect(await usesOf(token)).toEqual([]);

    await restartBot();
    expect(await bot.events.waitFor("use-settled", { ms: 20_000 })).toEqual({
      jid: "leo@localhost",
      outcome: "stands",
    });
    await eventually(async () => expect(await usesOf(token)).toHaveLength(1));
    expect((await usesOf(token))[0]).toMatchObject({ kind: "joined", invitee: "leo@localhost" });
    await expectJoined(circleId, "Neighbours", "leo@localhost", leo);
  }, 60_000);
});
