/**
 * The Redis adapters of the ports that had no contract suite — the hit counter, the claims, the use-event stream and
 * the circles (test/helpers/*-contract.ts) — against a private Redis as deployed, each with Redis stopped and (where the port
 * bounds its calls) hung. Two backends stand for two bot instances on the same Redis.
 */
import { afterAll, beforeAll } from "vitest";
import { eventsKey, LAYOUT_VERSION, layoutKey } from "../../../src/storage/keys.js";
import type { RedisBackend } from "../../../src/storage/redis-backend.js";
import { redisAway } from "../../helpers/backend-away.js";
import { circleStoreContract } from "../../helpers/circle-store-contract.js";
import { inviteClaimsContract } from "../../helpers/claims-contract.js";
import { readyRedisBackend } from "../../helpers/contract-backends.js";
import { eventStreamContract } from "../../helpers/event-stream-contract.js";
import { hitCounterContract } from "../../helpers/hit-counter-contract.js";
import { redisCircleForgery } from "../../helpers/redis-circle-forgery.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { requireBinaries } from "../../helpers/require-binary.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";

const HOST = "example.org";
/** REDIS_TIMEOUT_MS of both stores: how long a hung Redis keeps a call waiting. */
const TIMEOUT_MS = 500;
let redis: RedisServer;
let backend: RedisBackend;
let sibling: RedisBackend;
let raw: RawRedis;

beforeAll(async () => {
  requireBinaries(["redis-server"]);
  redis = await startRedis();
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  [backend, sibling] = await Promise.all([
    readyRedisBackend(redis.botUrl, HOST, TIMEOUT_MS),
    readyRedisBackend(redis.botUrl, HOST, TIMEOUT_MS),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([backend?.stop(), sibling?.stop()]);
  if (raw?.isOpen) raw.destroy();
  await redis?.stop();
});

// Both instances and the tests' own client use Redis again before a test goes on.
const { stopped, hung } = redisAway(
  () => redis,
  () =>
    Promise.all([backend, sibling].map((each) => each.relations.whoInvited("probe@example.org")).concat(raw.ping())),
  TIMEOUT_MS,
);

hitCounterContract(
  "The Redis backend's hit counter",
  () => ({
    counter: backend.hits,
    sibling: sibling.hits,
    advanceMs: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }),
  { shared: true, away: [stopped, hung] },
);

inviteClaimsContract(
  "The Redis backend's claims",
  () => ({
    claims: backend.claims,
    otherProcess: sibling.claims,
    invites: backend.invites,
    relations: backend.relations,
    host: HOST,
    async newUses() {
      const stream = backend.events("contract-uses");
      try {
        await stream.ensureGroup();
        return await stream.read("new", 20);
      } finally {
        await stream.close();
      }
    },
  }),
  { away: [stopped, hung] },
);

eventStreamContract(
  "The Redis backend's event stream",
  () => ({
    open: (consumer) => backend.events(consumer),
    record: (event) => backend.claims.recordUse(event),
    forge: async (fields) => {
      await raw.xAdd(eventsKey(HOST), "*", fields);
    },
    clear: async () => {
      await raw.flushDb();
      await raw.set(layoutKey(HOST), LAYOUT_VERSION);
    },
  }),
  { away: [stopped, hung] },
);

circleStoreContract(
  "The Redis backend's circles",
  () => ({ store: backend.circles, sibling: sibling.circles, forge: redisCircleForgery(() => raw, HOST) }),
  { shared: true, forgeable: true, away: [stopped, hung] },
);
