/**
 * The web pages against hostile clients (docs/web.md, "Safety"; docs/security.md, "The web pages under load"),
 * with the real bot, Prosody and Redis: request bodies that never end are cut off at WEB_REQUEST_TIMEOUT_MS while
 * the bot goes on answering XMPP, connections over the caps are closed at once, refused requests leave no key in
 * Redis, and TRUST_PROXY takes the visitor's address from the right end of X-Forwarded-For.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoInfoIq, NS_DISCO_INFO } from "../../helpers/adhoc-client.js";
import { type TestBot, withTimeout } from "../../helpers/bot.js";
import { freePort } from "../../helpers/ports.js";
import { recordWith, writeRawRecord } from "../../helpers/raw-records.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { loopbackAddress, plainRequest, type SlowClient, slowPost, slowPosts } from "../../helpers/slow-clients.js";
import type { TestUser } from "../../helpers/xmpp-user.js";

const HITS = "invite:{localhost}:web-hits:*";

let world: Scenario;
let alice: TestUser;

interface WebBot {
  bot: TestBot;
  port: number;
}

async function webBot(resource: string, env: Record<string, string> = {}): Promise<WebBot> {
  const port = await freePort();
  const bot = await world.startBot("bot", {
    WEB_LISTEN: `127.0.0.1:${port}`,
    WEB_URL: `http://127.0.0.1:${port}`,
    XMPP_RESOURCE: resource,
    ...env,
  });
  return { bot, port };
}

const madeUpToken = (): string => randomBytes(18).toString("base64url");
const SAME_ORIGIN = (port: number) => ({
  origin: `http://127.0.0.1:${port}`,
  "sec-fetch-site": "same-origin",
  "content-type": "application/x-www-form-urlencoded",
});

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  alice = await world.login("alice@localhost");
});

afterAll(async () => {
  await world?.stop();
});

describe("request bodies that never end", () => {
  it("are cut off by the server with 408, while the bot goes on answering XMPP", async () => {
    const { bot, port } = await webBot("slow", { WEB_REQUEST_TIMEOUT_MS: "3000" });
    // 400 connections, 20 from each of 20 addresses, a byte every 200 ms, to a made-up invite.
    const clients = await slowPosts({
      port,
      path: `/invite/${"A".repeat(24)}/register`,
      byteEveryMs: 200,
      count: 400,
      perAddress: 20,
    });
    let firstClosed: "xmpp" | "web" | undefined;
    for (const client of clients) {
      void client.closed.then(() => {
        firstClosed ??= "web";
      });
    }
    const info = await alice.request(discoInfoIq(bot.jid));
    firstClosed ??= "xmpp";
    expect(info.getChild("query", NS_DISCO_INFO)).toBeDefined();
    // The bot answered while every slow client was still connected.
    expect(firstClosed).toBe("xmpp");
    const answers = await withTimeout(
      Promise.all(clients.map((client) => client.closed)),
      20_000,
      "the server did not close every slow client within 20 s",
    );
    expect(answers.every((answer) => answer.startsWith("HTTP/1.1 408 "))).toBe(true);
    // Nothing a visitor did reached Redis: no invite was ever found.
    expect(await world.redis.keys(HITS)).toEqual([]);
  });
});

describe("connection caps", () => {
  let capped: WebBot;
  const open: SlowClient[] = [];

  beforeAll(async () => {
    capped = await webBot("capped", { WEB_MAX_CONNECTIONS: "30", WEB_MAX_CONNECTIONS_PER_ADDRESS: "10" });
  });

  afterAll(() => {
    for (const client of open) client.socket.destroy();
  });

  const slow = async (address: number): Promise<SlowClient> => {
    const client = await slowPost({
      port: capped.port,
      path: "/",
      localAddress: loopbackAddress(address),
      byteEveryMs: 1000,
    });
    open.push(client);
    return client;
  };

  it("close an address's connection over WEB_MAX_CONNECTIONS_PER_ADDRESS at once, without an answer", async () => {
    for (let i = 0; i < 10; i += 1) await slow(100);
    const over = await slow(100);
    expect(await over.closed).toBe("");
    // Another address is still welcome.
    const page = await plainRequest({ port: capped.port, path: "/", localAddress: loopbackAddress(101) });
    expect(page.status).toBe(200);
  });

  it("close any connection over WEB_MAX_CONNECTIONS, and take new ones once others have gone", async () => {
    for (let address = 102; address < 104; address += 1) for (let i = 0; i < 10; i += 1) await slow(address);
    const over = await slow(104);
    expect(await over.closed).toBe("");
    const leaving = open.find((client) => !client.socket.destroyed);
    leaving?.socket.destroy();
    await leaving?.closed;
    await withTimeout(
      (async () => {
        // The server learns of the close a moment later: ask until a connection is taken.
        for (;;) {
          const answer = await plainRequest({ port: capped.port, path: "/", localAddress: loopbackAddress(105) }).catch(
            () => undefined,
          );
          if (answer?.status === 200) return;
        }
      })(),
      10_000,
      "no connection taken after one left",
    );
    expect(capped.bot.logs.some((line) => line.includes("Web connections refused"))).toBe(true);
  });
});

describe("counters in Redis", () => {
  it("exist only for invites that exist: POSTs to made-up tokens leave no key, refused or not", async () => {
    const { port } = await webBot("keys");
    const token = await writeRawRecord(world.redis, recordWith());
    // One POST to a real invite (without a form token: refused, but counted against the invite).
    const real = await plainRequest({
      port,
      path: `/invite/${token}/register`,
      method: "POST",
      headers: SAME_ORIGIN(port),
      body: "username=x",
    });
    expect(real.status).toBe(403);
    const inviteKeys = () => world.redis.keys("invite:{localhost}:web-hits:invite:*");
    const before = await inviteKeys();
    expect(before).toHaveLength(1);
    expect(before[0]).toMatch(/^invite:\{localhost\}:web-hits:invite:[\w-]{43}$/u);
    const ttl = await world.redis.pTTL(before[0] ?? "");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i += 1) {
      const answer = await plainRequest({
        port,
        path: `/invite/${madeUpToken()}/register`,
        method: "POST",
        headers: SAME_ORIGIN(port),
        body: "username=x",
      });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    // 10 attempts in 10 minutes per address (WEB_ATTEMPTS_PER_10_MINUTES), the real one among them.
    expect(Object.fromEntries(statuses)).toEqual({ 404: 9, 429: 291 });
    expect(await inviteKeys()).toEqual(before);
    // Nor is any per-address counter in Redis: those are in the bot's memory.
    expect(await world.redis.keys(HITS)).toEqual(before);
  });
});

describe("TRUST_PROXY", () => {
  const path = `/invite/${"B".repeat(24)}`;
  const from = (bot: WebBot, forwardedFor?: string) =>
    plainRequest({
      port: bot.port,
      path,
      ...(forwardedFor === undefined ? {} : { headers: { "x-forwarded-for": forwardedFor } }),
    }).then((answer) => answer.status);

  it("true: one proxy, whose entry at the right of X-Forwarded-For is the visitor; anything else is not a key", async () => {
    const proxied = await webBot("proxied", { TRUST_PROXY: "true", WEB_VIEWS_PER_MINUTE: "2" });
    // What the client put in front of the proxy's entry does not make it someone else.
    expect(await from(proxied, "198.51.100.1, 203.0.113.5")).toBe(404);
    expect(await from(proxied, "198.51.100.2, 203.0.113.5")).toBe(404);
    expect(await from(proxied, "198.51.100.3, 203.0.113.5")).toBe(429);
    expect(await from(proxied, "203.0.113.6")).toBe(404);
    // Not an address: counted as the socket's own address (the proxy's).
    expect(await from(proxied, "not-an-address")).toBe(404);
    expect(await from(proxied, "203.0.113.7, 2001:db8::1:x")).toBe(404);
    expect(await from(proxied)).toBe(429);
    // The proxy's own connections are not held to the per-address cap (50): it speaks for everyone.
    const many = await Promise.all(
      Array.from({ length: 60 }, () => slowPost({ port: proxied.port, path: "/", byteEveryMs: 1000 })),
    );
    expect(await from(proxied, "203.0.113.8")).toBe(404);
    for (const client of many) client.socket.destroy();
  });

  it("a list of the proxies' addresses: the first address from the right that is not one of them", async () => {
    const listed = await webBot("listed", { TRUST_PROXY: "10.0.0.0/8, 127.0.0.1", WEB_VIEWS_PER_MINUTE: "2" });
    expect(await from(listed, "192.0.2.1, 198.51.100.9, 10.1.2.3")).toBe(404);
    expect(await from(listed, "192.0.2.2, 198.51.100.9")).toBe(404);
    expect(await from(listed, "198.51.100.9, 10.9.9.9")).toBe(429);
    expect(await from(listed, "198.51.100.10, 10.9.9.9")).toBe(404);
  });
});
