/**
 * Two bot instances on one ejabberd and one Redis where the bot makes the accounts (docs/instances.md,
 * docs/servers.md; issue 24): one XMPP account, two resources, each with its own web pages. ejabberd follows RFC 6121
 * §8.5.2.1.1 as Prosody does: a message to the bot's bare JID reaches the leader alone (priority 0), never the
 * follower (-1), so chat `invite` is answered once and makes one invite; every instance's web pages register with
 * any invite, as both read the same Redis; when the leader stops, the other answers at the bare JID. The first
 * instances run in this process (startBot); the last test runs two as real processes (src/main.ts, their resources
 * from HOSTNAME) and SIGKILLs the leader: the message sent while none led is kept by ejabberd (mod_offline) and
 * answered once, by the new leader, within 10 s of the kill.
 * Replies are counted by thread (the bot answers in the thread it was asked in).
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { leaderKey, pendingKey } from "../../../src/storage/keys.js";
import { eventually } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import {
  ejabberdInstanceEnv,
  registerEjabberdAccounts,
  registerOnPage,
  startEjabberdWebBot,
} from "../../helpers/ejabberd-web-bots.js";
import { askIn, watchInstances } from "../../helpers/instance-watch.js";
import { type MainRun, runMain } from "../../helpers/main-process.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";
import type { WebBot } from "../../helpers/web-bot.js";
import { canLogIn, connectUser, type TestUser } from "../../helpers/xmpp-user.js";

const BOT = "bot@localhost";
const RESOURCES = ["invites-a", "invites-b"] as const;
/** The bound: another instance answers within this once the leader is gone. */
const TAKEOVER_MS = 10_000;

let ejabberd: EjabberdServer;
let redis: RedisServer;
let raw: RawRedis;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;
const instances = new Map<string, WebBot>();
const users: TestUser[] = [];

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: [BOT], api: true }), startRedis()]);
  await registerEjabberdAccounts(ejabberd);
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  [admin, alice, bob] = await Promise.all([logIn("admin"), logIn("alice"), logIn("bob")]);
  // The admin sees every instance's presence (and its priority): the first instance online accepts this request.
  await admin.send(xml("presence", { to: BOT, type: "subscribe" }));
  for (const resource of RESOURCES) {
    // Each asks for invites in turn here, beyond the default quota of 10.
    const store = { redisUrl: redis.botUrl };
    instances.set(
      resource,
      await startEjabberdWebBot(ejabberd, store, resource, { INVITE_QUOTA: "1000", INVITE_MAX_PENDING: "1000" }),
    );
  }
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(users.map((user) => user.stop()));
  for (const { bot } of instances.values()) await bot.stop().catch(() => undefined);
  raw?.destroy();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

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

function instance(resource: string): WebBot {
  const found = instances.get(resource);
  if (found === undefined) throw new Error(`no instance ${resource}`);
  return found;
}

const { leaseHolder, lastPresence, leaderReady, repliesIn, answeredOnceBy } = watchInstances({
  bot: BOT,
  leaseKey: leaderKey("localhost", "bot"),
  redis: { get: (key) => raw.get(key) },
  observer: () => admin,
  askers: () => [admin, alice, bob],
});

/**
 * Each user asks every follower at its full JID and waits for the answer: ejabberd keeps each pair's stanzas in
 * order, so a follower that had got any earlier message to the bare JID would have answered it first.
 */
async function drain(followers: readonly string[]): Promise<void> {
  await Promise.all(
    [alice, bob].flatMap((user) => followers.map((resource) => user.ask(`${BOT}/${resource}`, "help", 15_000))),
  );
}

const landingUrlIn = (body: string) => /https?:\/\/\S+\/invite\/[\w-]+/u.exec(body)?.[0];

describe("two instances on one ejabberd and one Redis", () => {
  it("chat `invite` to the bare JID is answered once, by the leader, with one invite each", async () => {
    const leader = await leaderReady(RESOURCES);
    const before = await raw.zCard(pendingKey("localhost"));
    const threads = [alice, bob].flatMap((_, i) => Array.from({ length: 10 }, (_, k) => `ej-u${i}-m${k}`));
    await Promise.all(
      [alice, bob].map(async (user, i) => {
        for (let k = 0; k < 10; k++) await askIn(user, BOT, `ej-u${i}-m${k}`, "invite");
      }),
    );
    await answeredOnceBy(threads, leader);
    await drain(RESOURCES.filter((resource) => resource !== leader));
    await answeredOnceBy(threads, leader);
    // One invite per request: none made twice by a second instance.
    expect(await raw.zCard(pendingKey("localhost"))).toBe(before + threads.length);
    const leaderUrl = instance(leader).webUrl;
    for (const thread of threads) expect(landingUrlIn(repliesIn(thread)[0]?.body ?? "")).toMatch(leaderUrl);
  }, 90_000);

  it("each instance's web pages register with an invite, whichever instance made it", async () => {
    const [a, b] = RESOURCES.map(instance) as [WebBot, WebBot];
    const pairs = [
      { maker: a, page: a, name: "ejaa" },
      { maker: a, page: b, name: "ejab" },
      { maker: b, page: b, name: "ejbb" },
      { maker: b, page: a, name: "ejba" },
    ];
    for (const { maker, page, name } of pairs) {
      const { invite } = await maker.bot.app.service.createAccountInvite(
        actorFor("admin@localhost", maker.bot.app.service.policy),
        "admin@localhost/web",
      );
      const done = await registerOnPage(page.webUrl, `${page.webUrl}/invite/${invite.token}`, name, `${name}-pw`);
      expect(done.status).toBe(200);
      expect(done.body).toContain(`Welcome, ${name}@localhost!`);
      expect(await canLogIn(ejabberd.service, `${name}@localhost`, `${name}-pw`)).toBe(true);
    }
  }, 60_000);

  it("an invite from chat registers on the leader's page; when the leader stops, the other answers", async () => {
    const leader = await leaderReady(RESOURCES);
    await askIn(alice, BOT, "ej-chat-invite", "invite");
    await answeredOnceBy(["ej-chat-invite"], leader);
    const landingUrl = landingUrlIn(repliesIn("ej-chat-invite")[0]?.body ?? "") ?? "";
    const done = await registerOnPage(instance(leader).webUrl, landingUrl, "ejchat", "ejchat-pw");
    expect(done.status).toBe(200);

    const stoppedAt = Date.now();
    await instance(leader).bot.stop();
    instances.delete(leader);
    const [survivor] = RESOURCES.filter((resource) => resource !== leader) as [string];
    await askIn(bob, BOT, "ej-after-stop", "help");
    await eventually(
      async () => {
        if (repliesIn("ej-after-stop").length === 0) throw new Error("not answered yet");
      },
      TAKEOVER_MS,
      50,
    );
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(TAKEOVER_MS);
    expect(repliesIn("ej-after-stop")).toEqual([expect.objectContaining({ from: `${BOT}/${survivor}` })]);
  }, 60_000);
});

describe("two instances as processes on ejabberd, the leader SIGKILLed", () => {
  const processes = new Map<string, MainRun>();
  let cwd: string;

  afterAll(async () => {
    for (const run of processes.values()) await run.kill();
    if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
  });

  it("another answers within 10 s; the message sent while none led is answered once", async () => {
    // The in-process instances above are gone: these two are the only ones.
    for (const { bot } of instances.values()) await bot.stop();
    instances.clear();
    cwd = await mkdtemp(join(tmpdir(), "invite-bot-ejabberd-instances-"));
    const resources = ["invites-kill0", "invites-kill1"];
    await Promise.all(
      resources.map(async (resource) => {
        const { env } = await ejabberdInstanceEnv(ejabberd, redis.botUrl, resource.replace(/^invites-/u, ""));
        const run = runMain(cwd, env);
        processes.set(resource, run);
        await run.online(30_000);
      }),
    );
    const leader = await leaderReady(resources);
    const killedAt = Date.now();
    await processes.get(leader)?.kill();
    processes.delete(leader);
    await eventually(async () => {
      if (lastPresence(`${BOT}/${leader}`)?.attrs.type !== "unavailable") throw new Error("still available");
    }, 10_000);
    // No instance leads now (the dead one's lease runs on): ejabberd stores the message offline (mod_offline).
    await askIn(alice, BOT, "ej-while-none", "help");
    expect(await leaseHolder()).toBe(leader);
    await eventually(
      async () => {
        if (repliesIn("ej-while-none").length === 0) throw new Error("not answered yet");
      },
      TAKEOVER_MS,
      50,
    );
    expect(Date.now() - killedAt).toBeLessThanOrEqual(TAKEOVER_MS);
    const [survivor] = resources.filter((resource) => resource !== leader) as [string];
    expect(await leaderReady([survivor])).toBe(survivor);
    await askIn(bob, BOT, "ej-after-kill", "help");
    await answeredOnceBy(["ej-while-none", "ej-after-kill"], survivor);
  }, 90_000);
});
