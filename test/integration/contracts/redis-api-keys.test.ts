/**
 * The Redis store of API keys (src/storage/redis-api-keys.ts) against a private Redis as deployed, as the bot's ACL
 * user: the ApiKeyStore contract, with two connections for two bot instances, and with Redis stopped and hung. The
 * keys are where docs/api.md says, and hold only the key's hash, never the key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyHash, generateApiKey } from "../../../src/invites/api-keys.js";
import { apiKeyKey, apiKeyNamesKey, RedisApiKeys } from "../../../src/storage/redis-api-keys.js";
import type { RedisConnection } from "../../../src/storage/redis-connection.js";
import { apiKeyStoreContract } from "../../helpers/api-key-store-contract.js";
import { redisAway } from "../../helpers/backend-away.js";
import { connectedRedis } from "../../helpers/redis-connected.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { requireBinaries } from "../../helpers/require-binary.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";
import { TEST_SIGNING_KEYS } from "../../helpers/signing.js";

const HOST = "example.org";
const TIMEOUT_MS = 500;
let redis: RedisServer;
let raw: RawRedis;
let connections: RedisConnection[] = [];
let store: RedisApiKeys;
let sibling: RedisApiKeys;

const connected = (url: string) => connectedRedis(url, TIMEOUT_MS);

beforeAll(async () => {
  requireBinaries(["redis-server"]);
  redis = await startRedis();
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  connections = await Promise.all([connected(redis.botUrl), connected(redis.botUrl)]);
  store = new RedisApiKeys(connections[0] as RedisConnection, HOST, TEST_SIGNING_KEYS);
  sibling = new RedisApiKeys(connections[1] as RedisConnection, HOST, TEST_SIGNING_KEYS);
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  if (raw?.isOpen) raw.destroy();
  await redis?.stop();
});

const { stopped, hung } = redisAway(
  () => redis,
  () => Promise.all([store.list(), sibling.list(), raw.ping()]),
  TIMEOUT_MS,
);

apiKeyStoreContract("The Redis store of API keys", () => ({ store, sibling }), { away: [stopped, hung] });

describe("the Redis layout of API keys", () => {
  it("stores the key's fields under its hash and its name in the index, and nowhere the key itself", async () => {
    const key = generateApiKey();
    const hash = apiKeyHash(key);
    await store.add(hash, {
      name: "layout",
      scope: "manage",
      createdBy: "admin@example.org",
      createdAt: 1_800_000_000,
    });
    expect(apiKeyKey(HOST, hash)).toBe(`invite:{${HOST}}:api-key:${hash}`);
    expect(await raw.hGetAll(apiKeyKey(HOST, hash))).toEqual({
      name: "layout",
      scope: "manage",
      createdBy: "admin@example.org",
      createdAt: "1800000000",
      tag: expect.stringMatching(/^[\w-]{43}$/u),
    });
    expect(await raw.hGet(apiKeyNamesKey(HOST), "layout")).toBe(hash);
    const everything = await raw.keys("*");
    for (const name of everything) {
      const type = await raw.type(name);
      const values = type === "hash" ? Object.values(await raw.hGetAll(name)) : [];
      expect(`${name} ${values.join(" ")}`).not.toContain(key.slice(4));
    }
  });
});

describe("an API key written into Redis without the signing key (docs/security.md)", () => {
  it("is no key: one made up whole, one whose scope or maker was changed, one copied under another hash", async () => {
    const forged = apiKeyHash(generateApiKey());
    await raw.hSet(apiKeyKey(HOST, forged), {
      name: "forged",
      scope: "manage",
      createdBy: "admin@example.org",
      createdAt: "1800000000",
      tag: "A".repeat(43),
    });
    await raw.hSet(apiKeyNamesKey(HOST), "forged", forged);
    expect(await store.find(forged)).toBeUndefined();

    const real = apiKeyHash(generateApiKey());
    await store.add(real, { name: "real", scope: "create", createdBy: "alice@example.org", createdAt: 1_800_000_001 });
    const fields = await raw.hGetAll(apiKeyKey(HOST, real));
    await raw.hSet(apiKeyKey(HOST, real), { scope: "manage" });
    expect(await store.find(real)).toBeUndefined();
    await raw.hSet(apiKeyKey(HOST, real), { scope: "create", createdBy: "admin@example.org" });
    expect(await store.find(real)).toBeUndefined();
    await raw.hSet(apiKeyKey(HOST, real), fields);
    expect((await store.find(real))?.scope).toBe("create");

    const copy = apiKeyHash(generateApiKey());
    await raw.hSet(apiKeyKey(HOST, copy), fields);
    expect(await store.find(copy)).toBeUndefined();
    expect((await store.list()).map(({ name }) => name)).not.toContain("forged");
  });
});
