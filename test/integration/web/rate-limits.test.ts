/**
 * The web pages' rate limits (docs/web.md, "Safety"): per client address in each bot's memory, per invite in Redis,
 * where two bot instances share them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBot } from "../../helpers/bot.js";
import { freePort } from "../../helpers/ports.js";
import { recordWith, writeRawRecord } from "../../helpers/raw-records.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { loopbackAddress, plainRequest } from "../../helpers/slow-clients.js";

let world: Scenario;
const bots: { bot: TestBot; url: string }[] = [];

const limits = {
  viewsPerAddress: { limit: 3, windowMs: 60_000 },
  postsPerAddress: { limit: 10, windowMs: 600_000 },
  postsPerInvite: { limit: 2, windowMs: 3_600_000 },
};

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  for (const [name, resource] of [
    ["bot", "one"],
    ["bot", "two"],
  ] as const) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const bot = await world.startBot(
      name,
      { WEB_LISTEN: `127.0.0.1:${port}`, WEB_URL: url, XMPP_RESOURCE: resource },
      { web: { limits } },
    );
    bots.push({ bot, url });
  }
});

afterAll(async () => {
  await world?.stop();
});

describe("web rate limits", () => {
  it("per address are each bot's own, in memory, and answered 429 with Retry-After", async () => {
    const [one, two] = bots;
    if (one === undefined || two === undefined) throw new Error("two bots expected");
    const path = "/invite/AAAAAAAAAAAAAAAAAAAAAAAA";
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${one.url}${path}`)).status).toBe(404);
    const refused = await fetch(`${one.url}${path}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many attempts");
    expect((await fetch(`${two.url}${path}`)).status).toBe(404);
    expect(await world.redis.keys("invite:{localhost}:web-hits:*")).toEqual([]);
  });

  it("per invite are shared by every bot instance through Redis", async () => {
    const [one, two] = bots;
    if (one === undefined || two === undefined) throw new Error("two bots expected");
    const token = await writeRawRecord(world.redis, recordWith());
    // Without a form token each attempt is refused (403), but counted against the invite first; from an
    // address the first test has not used up.
    const attempt = (url: string) =>
      plainRequest({
        port: Number(new URL(url).port),
        path: `/invite/${token}/register`,
        method: "POST",
        headers: { origin: url, "sec-fetch-site": "same-origin", "content-type": "application/x-www-form-urlencoded" },
        body: "username=x",
        localAddress: loopbackAddress(0),
      }).then((answer) => answer.status);
    expect(await attempt(one.url)).toBe(403);
    expect(await attempt(two.url)).toBe(403);
    expect(await attempt(one.url)).toBe(429);
    const keys = await world.redis.keys("invite:{localhost}:web-hits:*");
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^invite:\{localhost\}:web-hits:invite:[\w-]{43}$/u);
    expect(await world.redis.pTTL(keys[0] ?? "")).toBeGreaterThan(0);
  });
});
