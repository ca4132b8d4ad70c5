/**
 * The web console's Redis store (src/storage/redis-console.ts) against a private Redis as deployed, through the bot's
 * ACL user (docker/redis/acl-rules.conf): two stores stand for two bot instances, a raw client for someone with write
 * access but not the signing key.
 */
import { afterAll, beforeAll } from "vitest";
import type { RedisConnection } from "../../../src/storage/redis-connection.js";
import { consoleLoginKey, consoleSessionKey, RedisConsoleStore } from "../../../src/storage/redis-console.js";
import { redisAway } from "../../helpers/backend-away.js";
import { consoleStoreContract } from "../../helpers/console-store-contract.js";
import { connectedRedis } from "../../helpers/redis-connected.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { requireBinaries } from "../../helpers/require-binary.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";

const HOST = "example.org";
const TIMEOUT_MS = 500;
const KEYS = { current: "console-contract-signing-key-0123456789", old: [] };
let redis: RedisServer;
let raw: RawRedis;
let connections: RedisConnection[] = [];
let store: RedisConsoleStore;
let sibling: RedisConsoleStore;

async function connected(url: string): Promise<RedisConnection> {
  const connection = await connectedRedis(url, TIMEOUT_MS);
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  requireBinaries(["redis-server"]);
  redis = await startRedis();
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  store = new RedisConsoleStore(await connected(redis.botUrl), HOST, KEYS);
  sibling = new RedisConsoleStore(await connected(redis.botUrl), HOST, KEYS);
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  connections = [];
  if (raw?.isOpen) raw.destroy();
  await redis?.stop();
});

const { stopped, hung } = redisAway(
  () => redis,
  () => Promise.all([store.findSession("probe"), sibling.findSession("probe"), raw.ping()]),
  TIMEOUT_MS,
);

const keyOf = (kind: "login" | "session", hash: string) =>
  kind === "login" ? consoleLoginKey(HOST, hash) : consoleSessionKey(HOST, hash);

consoleStoreContract(
  "The Redis console store",
  () => ({
    store,
    sibling,
    advanceMs: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    forge: {
      write: async (kind, hash, value) => {
        await raw.set(keyOf(kind, hash), value);
      },
      read: async (kind, hash) => (await raw.get(keyOf(kind, hash))) ?? undefined,
    },
  }),
  { shared: true, forgeable: true, away: [stopped, hung] },
);
