/** The web pages' rate limits live in Redis: two bot instances share them (docs/web.md, "Safety"). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBot } from "../../helpers/bot.js";
import { freePort } from "../../helpers/ports.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";

let world: Scenario;
const bots: { bot: TestBot; url: string }[] = [];

const limits = {
  viewsPerAddress: { limit: 3, windowMs: 60_000 },
  postsPerAddress: { limit: 10, windowMs: 600_000 },
  postsPerInvite: { limit: 20, windowMs: 3_600_000 },
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
  it("are shared by every bot instance through Redis, and answered 429 with Retry-After", async () => {
    const [one, two] = bots;
    if (one === undefined || two === undefined) throw new Error("two bots expected");
    const path = "/invite/AAAAAAAAAAAAAAAAAAAAAAAA";
    expect((await fetch(`${one.url}${path}`)).status).toBe(404);
    expect((await fetch(`${two.url}${path}`)).status).toBe(404);
    expect((await fetch(`${one.url}${path}`)).status).toBe(404);
    const refused = await fetch(`${two.url}${path}`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many attempts");
    const keys = await world.redis.keys("invite:{localhost}:web-hits:*");
    expect(keys).toEqual(["invite:{localhost}:web-hits:views:127.0.0.1"]);
    expect(await world.redis.pTTL(keys[0] ?? "")).toBeGreaterThan(0);
  });
});
