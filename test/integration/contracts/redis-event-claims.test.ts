/**
 * Taking over use events another bot instance left pending (EventStream.claim, XAUTOCLAIM) on a private Redis as
 * deployed, through the bot's own ACL user: what an instance that never came back read and did not acknowledge is
 * handed to a live one once idle long enough, trimmed entries are acknowledged on the way, batch after batch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EventStream, StoreUnavailableError, type UseEvent } from "../../../src/invites/store.js";
import { eventsKey, LAYOUT_VERSION, layoutKey } from "../../../src/storage/keys.js";
import type { RedisBackend } from "../../../src/storage/redis-backend.js";
import { EVENT_GROUP } from "../../../src/storage/redis-events.js";
import { redisAway, rejection, timed } from "../../helpers/backend-away.js";
import { readyRedisBackend } from "../../helpers/contract-backends.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { requireBinaries } from "../../helpers/require-binary.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";

const HOST = "example.org";
const KEY = eventsKey(HOST);
const TIMEOUT_MS = 500;
/** Idle time handed to entries (XCLAIM … IDLE): as if their instance had been silent that long. */
const LONG_AGO_MS = 3_600_000;
let redis: RedisServer;
let backend: RedisBackend;
let raw: RawRedis;
let opened: EventStream[] = [];

beforeAll(async () => {
  requireBinaries(["redis-server"]);
  redis = await startRedis();
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  backend = await readyRedisBackend(redis.botUrl, HOST, TIMEOUT_MS);
});

afterAll(async () => {
  await Promise.allSettled(opened.map((stream) => stream.close()));
  await backend?.stop();
  if (raw?.isOpen) raw.destroy();
  await redis?.stop();
});

beforeEach(async () => {
  await Promise.allSettled(opened.map((stream) => stream.close()));
  opened = [];
  await raw.flushDb();
  await raw.set(layoutKey(HOST), LAYOUT_VERSION);
});

function open(consumer: string): EventStream {
  const stream = backend.events(consumer);
  opened.push(stream);
  return stream;
}

let uses = 0;
async function record(count = 1): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    uses += 1;
    const event: UseEvent & { invite: string } = {
      kind: "registered",
      inviter: "alice@example.org",
      invitee: `new${uses}@example.org`,
      invite: "abcdEFGH",
      at: 1_790_000_000 + uses,
      rooms: [],
    };
    await backend.claims.recordUse(event);
  }
}

/** Instance `gone` reads every entry there is and dies before acknowledging: they stay pending for it. */
async function readAndVanish(): Promise<string[]> {
  const gone = open("gone");
  await gone.ensureGroup();
  const ids: string[] = [];
  for (;;) {
    const entries = await gone.read("new", 50);
    if (entries.length === 0) return ids;
    ids.push(...entries.map((entry) => entry.id));
  }
}

/** Makes entries look idle for LONG_AGO_MS, as XAUTOCLAIM measures it (time since last delivered). */
async function age(ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await raw.xClaim(KEY, EVENT_GROUP, "gone", 0, [...ids], { IDLE: LONG_AGO_MS });
}

async function pendingOf(consumer: string): Promise<number> {
  const consumers = await raw.xInfoConsumers(KEY, EVENT_GROUP);
  return Number(consumers.find((each) => each.name === consumer)?.pending ?? 0);
}

describe("claiming use events another instance left pending", () => {
  it("leaves entries idle less than the limit with their instance, and takes them once they are idle longer", async () => {
    await record(2);
    const ids = await readAndVanish();
    const live = open("live");
    expect(await live.claim(LONG_AGO_MS / 2)).toEqual([]);
    expect(await pendingOf("gone")).toBe(2);
    await age(ids);
    const claimed = await live.claim(LONG_AGO_MS / 2);
    expect(claimed.map((entry) => entry.id)).toEqual(ids);
    expect(claimed.every((entry) => entry.signed && entry.fields.inviter === "alice@example.org")).toBe(true);
    // Now the live instance's own: pending for it, no longer for the one that is gone, and not claimed again.
    expect((await live.read("pending", 0)).map((entry) => entry.id)).toEqual(ids);
    expect(await pendingOf("gone")).toBe(0);
    expect(await live.claim(LONG_AGO_MS / 2)).toEqual([]);
    for (const id of ids) await live.ack(id);
    expect(await live.read("pending", 0)).toEqual([]);
  });

  it("acknowledges entries trimmed from the stream while pending, and hands over the rest", async () => {
    await record(3);
    const ids = await readAndVanish();
    await age(ids);
    await raw.xDel(KEY, [ids[0] ?? "", ids[2] ?? ""]);
    const live = open("live");
    expect((await live.claim(1_000)).map((entry) => entry.id)).toEqual([ids[1]]);
    await live.ack(ids[1] ?? "");
    const [group] = (await raw.xInfoGroups(KEY)) as unknown as { pending: number }[];
    expect(group?.pending).toBe(0);
  });

  it("takes a batch at a time, following the cursor past a page of trimmed entries", async () => {
    await record(130);
    const ids = await readAndVanish();
    expect(ids).toHaveLength(130);
    await age(ids);
    // The first 60 are gone from the stream: XAUTOCLAIM's first page (50) holds none to hand over.
    await raw.xDel(KEY, ids.slice(0, 60));
    const live = open("live");
    const batches: number[] = [];
    for (;;) {
      const claimed = await live.claim(1_000);
      if (claimed.length === 0) break;
      batches.push(claimed.length);
    }
    expect(batches.reduce((sum, n) => sum + n, 0)).toBe(70);
    expect(batches[0]).toBeGreaterThanOrEqual(50);
    expect((await live.read("pending", 0)).length).toBeGreaterThan(0);
    expect(await pendingOf("gone")).toBe(0);
  });
});

describe("claiming with Redis away", () => {
  const { stopped } = redisAway(
    () => redis,
    () => Promise.all([backend.relations.whoInvited("probe@example.org"), raw.ping()]),
    TIMEOUT_MS,
  );

  it("rejects with StoreUnavailableError, in time, and claims again once Redis is back", async () => {
    await record(1);
    const ids = await readAndVanish();
    await age(ids);
    const live = open("live");
    await stopped.enter();
    try {
      const { ms, outcome } = await timed(() => live.claim(1_000));
      expect(rejection(outcome)).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThanOrEqual(stopped.failsWithinMs + 50);
    } finally {
      await stopped.leave();
    }
    expect((await live.claim(1_000)).map((entry) => entry.id)).toEqual(ids);
  });
});
