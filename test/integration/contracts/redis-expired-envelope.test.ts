/**
 * A record whose envelope has expired while Redis still keeps the key: the moment between the envelope's `expires`
 * (the bot's clock) and the key's own expiry (Redis's clock), longer with any skew between the two machines. keyv
 * drops such a value itself, and deleted it with UNLINK, which the bot's ACL user (docs/security.md) may not run:
 * the listing or the lookup failed with NOPERM instead of finding the invite gone (found in CI under load, on
 * Redis Cluster, by the store contract's expiry test).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordKey } from "../../../src/storage/keys.js";
import { tokenHash } from "../../../src/storage/record.js";
import type { RedisBackend } from "../../../src/storage/redis-backend.js";
import { readyRedisBackend } from "../../helpers/contract-backends.js";
import { recordWith, writeRawRecord } from "../../helpers/raw-records.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { rawRedisClient } from "../../helpers/scenario.js";

let redis: RedisServer;
let raw: ReturnType<typeof rawRedisClient>;
let backend: RedisBackend;

beforeAll(async () => {
  redis = await startRedis();
  raw = rawRedisClient(redis.url);
  await raw.connect();
  backend = await readyRedisBackend(redis.botUrl, "localhost", 2_000);
});

afterAll(async () => {
  await backend?.stop();
  raw?.destroy();
  await redis?.stop();
});

/** An invite whose envelope expired a second ago, its key kept by Redis for another minute. */
async function expiredEnvelope(): Promise<string> {
  const token = await writeRawRecord(raw, recordWith());
  const key = recordKey("localhost", tokenHash(token));
  const envelope = JSON.parse((await raw.get(key)) ?? "{}") as { value: unknown };
  await raw.set(key, JSON.stringify({ value: envelope.value, expires: Date.now() - 1_000 }), { PX: 60_000 });
  return token;
}

describe("a record whose envelope expired before its key, read by the bot's ACL user", () => {
  it("is not found by its token, and goes from Redis", async () => {
    const token = await expiredEnvelope();
    expect(await backend.invites.findByToken(token)).toBeUndefined();
    expect(await raw.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
  });

  it("is left out of the listing", async () => {
    const token = await expiredEnvelope();
    const page = await backend.invites.listPage({ offset: 0, limit: 100 });
    expect(page.invites.map(({ hash }) => hash)).not.toContain(tokenHash(token));
  });
});
