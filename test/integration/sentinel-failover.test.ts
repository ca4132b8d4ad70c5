/**
 * The bot on Redis Sentinel (docs/redis.md) keeps answering chat `invite` through `SENTINEL FAILOVER` and through
 * the master's SIGKILL, without a restart: while the master is away each request gets the store's clean "try again"
 * reply, then invites work again, and none is handed out twice. No invite a reply handed out is lost: with the
 * default REDIS_SENTINEL_CONFIRM_REPLICAS=all each was confirmed (WAIT) by every replica the Sentinels saw up, the
 * promoted one included, so what the old master took after the promotion is refused, not handed out. Only the bot's
 * side is under load here (a chat invite is the bot's alone); Prosody's module behind the same Sentinels is
 * sentinel-registration.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byInviterKey, recordKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { type RedisSentinelSetup, startRedisSentinel } from "../helpers/redis-sentinel.js";
import { rawRedisClient, type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const UNREACHABLE = "Sorry, I cannot reach my invite store right now";
let world: Scenario;
let sentinel: RedisSentinelSetup;
let bot: TestBot;
let alice: TestUser;

beforeAll(async () => {
  [world, sentinel] = await Promise.all([startScenario(), startRedisSentinel()]);
  // REDIS_URL emptied: the test bot's default URL would be a second mode (src/config/redis.ts refuses a mix).
  bot = await world.startBot("bot", {
    ALLOW_USER_INVITES: "true",
    INVITE_QUOTA: "100000",
    INVITE_MAX_PENDING: "100000",
    INVITE_TREE_MAX: "0",
    REDIS_URL: "",
    ...sentinel.env,
  });
  alice = await world.login("alice@localhost");
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await sentinel?.stop();
});

interface Outcome {
  token?: string;
  text: string;
  ms: number;
}

/** Asks for invites back to back until `until()` is true; each reply's token or text. */
async function load(until: () => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  while (!until()) {
    const started = Date.now();
    const text = (await alice.ask(bot.jid, "invite", 10_000)).getChildText("body") ?? "";
    const token = /preauth=([\w-]{24})/u.exec(text)?.[1];
    outcomes.push({ ...(token === undefined ? {} : { token }), text, ms: Date.now() - started });
  }
  return outcomes;
}

/** The requests invitesWorkAgain() made: each may have stored an invite, refused or not. */
let checks = 0;

/** Resolves once a request made now gets an invite again. */
async function invitesWorkAgain(): Promise<void> {
  await eventually(async () => {
    checks += 1;
    const text = (await alice.ask(bot.jid, "invite", 10_000)).getChildText("body") ?? "";
    expect(text).toMatch(/preauth=/u);
  }, 20_000);
}

/**
 * Runs `change` while chat invites are asked for back to back; what every request got, the master `change` moved
 * to, and the master once the load ended: on a loaded machine the Sentinels (down-after-milliseconds 1000) may move
 * it again meanwhile, and the invites must be on whichever master holds the data in the end.
 */
async function underLoad(
  change: () => Promise<number>,
): Promise<{ outcomes: Outcome[]; master: number; finalMaster: number }> {
  let stop = false;
  const running = load(() => stop);
  await invitesWorkAgain();
  const master = await change();
  await invitesWorkAgain();
  stop = true;
  const outcomes = await running;
  return { outcomes, master, finalMaster: await sentinel.masterPort() };
}

/** Every refusal is the store's clean "try again" in time; no invite is handed out twice; the tokens handed out. */
function checkAnswers(outcomes: readonly Outcome[]): { handedOut: string[]; refused: number } {
  const handedOut = outcomes.flatMap((outcome) => (outcome.token === undefined ? [] : [outcome.token]));
  const refused = outcomes.filter((outcome) => outcome.token === undefined);
  expect(handedOut.length).toBeGreaterThan(0);
  // Within REDIS_TIMEOUT_MS (1 s for test bots) and XMPP.
  for (const outcome of refused) {
    expect(outcome.text).toContain(UNREACHABLE);
    expect(outcome.ms).toBeLessThan(3_000);
  }
  expect(new Set(handedOut).size).toBe(handedOut.length);
  return { handedOut, refused: refused.length };
}

/** The handed-out invites the master `port` does not have, and how many of alice's it has in all. */
async function lostOn(port: number, handedOut: readonly string[]): Promise<{ missing: number; stored: number }> {
  const raw = rawRedisClient(sentinel.adminUrl(port));
  raw.on("error", () => {});
  await raw.connect();
  try {
    let missing = 0;
    for (const token of handedOut) if ((await raw.exists(recordKey(HOST, tokenHash(token)))) !== 1) missing += 1;
    return { missing, stored: await raw.zCard(byInviterKey(HOST, "alice@localhost")) };
  } finally {
    raw.destroy();
  }
}

describe("the bot on Redis Sentinel", () => {
  it("keeps serving through SENTINEL FAILOVER without a restart, and loses no invite it handed out", async () => {
    const before = await sentinel.masterPort();
    const { outcomes, master, finalMaster } = await underLoad(() => sentinel.failover());
    expect(master).not.toBe(before);
    const { handedOut } = checkAnswers(outcomes);
    expect((await lostOn(finalMaster, handedOut)).missing, `masters: ${before}, ${master}, ${finalMaster}`).toBe(0);
  }, 120_000);

  it("keeps serving through the master's SIGKILL, and loses no invite it handed out (confirmed on a replica)", async () => {
    const before = await sentinel.masterPort();
    const storedBefore = (await lostOn(before, [])).stored;
    const checksBefore = checks;
    const { outcomes, master, finalMaster } = await underLoad(() => sentinel.killMaster());
    expect(master).not.toBe(before);
    const { handedOut, refused } = checkAnswers(outcomes);
    const { missing, stored } = await lostOn(finalMaster, handedOut);
    expect(missing, `masters: ${before}, ${master}, ${finalMaster}`).toBe(0);
    // A request refused after its write reached Redis may have left its invite: never more than one each, and one
    // for each request that checked invites work again (one each time, or more on a loaded machine).
    expect(stored - storedBefore).toBeLessThanOrEqual(handedOut.length + refused + (checks - checksBefore));
  }, 120_000);
});
