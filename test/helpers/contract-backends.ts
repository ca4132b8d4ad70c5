/**
 * The storage backends the port contracts run against, made by the factories of src/storage/ as the app makes them
 * (one place to follow those factories when they change).
 */
import { createLogger } from "../../src/logger.js";
import { type RedisBackend, redisBackend } from "../../src/storage/redis-backend.js";
import { createRedisClient } from "../../src/storage/redis-client.js";
import { TEST_SIGNING_KEYS } from "./signing.js";

/** A Redis backend of `host` at `url` (the bot's ACL user), started and ready (layout v3 checked). */
export async function readyRedisBackend(url: string, host: string, timeoutMs: number): Promise<RedisBackend> {
  const backend = redisBackend({
    redis: createRedisClient(url, timeoutMs),
    host,
    timeoutMs,
    signingKeys: TEST_SIGNING_KEYS,
    log: createLogger("silent"),
  });
  backend.start();
  await backend.ready();
  return backend;
}
