/**
 * The Redis leader lease (src/storage/redis-leader.ts) against a private Redis as deployed (the bot's ACL user):
 * the LeaderLease contract (test/helpers/leader-lease-contract.ts), two backends standing for two bot instances,
 * with Redis stopped and hung.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaderKey } from "../../../src/storage/keys.js";
import type { RedisBackend } from "../../../src/storage/redis-backend.js";
import { redisAway } from "../../helpers/backend-away.js";
import { eventually } from "../../helpers/bot.js";
import { readyRedisBackend } from "../../helpers/contract-backends.js";
import { leaderLeaseContract } from "../../helpers/leader-lease-contract.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { requireBinaries } from "../../helpers/require-binary.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";

const HOST = "example.org";
const ACCOUNT = "invites";
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

const { stopped, hung } = redisAway(
  () => redis,
  () =>
    Promise.all([backend, sibling].map((each) => each.relations.whoInvited("probe@example.org")).concat(raw.ping())),
  TIMEOUT_MS,
);

leaderLeaseContract(
  "The Redis leader lease",
  () => ({
    lease: backend.leader(ACCOUNT),
    sibling: sibling.leader(ACCOUNT),
    // The store's own TTL: wait until Redis dropped the key.
    expire: () =>
      eventually(async () => {
        if ((await raw.exists(leaderKey(HOST, ACCOUNT))) !== 0) throw new Error("the lease is still held");
      }),
    // The epoch key stays: epochs only grow, as in production.
    clear: async () => {
      await raw.del(leaderKey(HOST, ACCOUNT));
    },
  }),
  { away: [stopped, hung] },
);

describe("The Redis leader lease, per bot account", () => {
  it("keeps the instances of two bot accounts on one host and Redis apart", async () => {
    await raw.del([leaderKey(HOST, "first"), leaderKey(HOST, "second")]);
    expect(await backend.leader("first").acquire("a", 5_000)).toBeDefined();
    expect(await sibling.leader("second").acquire("b", 5_000)).toBeDefined();
    expect(await sibling.leader("first").acquire("b", 5_000)).toBeUndefined();
    expect(await raw.get(leaderKey(HOST, "second"))).toMatch(/^\d+:b$/u);
  });
});
