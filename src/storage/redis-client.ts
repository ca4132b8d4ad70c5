/**
 * The node-redis client the store runs on, made here and handed to RedisConnection (redis-connection.ts): one server
 * (REDIS_URL), a master found through Redis Sentinel, or a Redis Cluster (docs/redis.md), behind one handle so that
 * the stores do not change with the mode. Fails fast while Redis is away (disableOfflineQueue) and reconnects in the
 * background, 100 ms doubling to at most 2 s.
 */
import { createClient } from "@keyv/redis";
import type { RedisClient, RedisClientHandle } from "./redis-handle.js";
import { clusterHandle, sentinelHandle } from "./redis-modes.js";
import { reconnectDelay } from "./redis-probed-handle.js";
import type { RedisTarget } from "./redis-target.js";

export type { RedisClient, RedisClientHandle, RedisLinkListener } from "./redis-handle.js";

/**
 * A client of the Redis `target` (a URL alone is REDIS_URL), each connection made within `timeoutMs`
 * (REDIS_TIMEOUT_MS).
 */
export function createRedisClient(target: string | RedisTarget, timeoutMs: number): RedisClientHandle {
  const where: RedisTarget = typeof target === "string" ? { url: target } : target;
  if ("sentinel" in where) return sentinelHandle(where.sentinel, timeoutMs);
  if ("cluster" in where) return clusterHandle(where.cluster, timeoutMs);
  return singleHandle(where.url, timeoutMs);
}

function singleHandle(url: string, timeoutMs: number): RedisClientHandle {
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: reconnectDelay },
  });
  return {
    client,
    label: redactUrl(url),
    open(listener) {
      client.on("error", (error: unknown) => listener.lost(error));
      client.on("ready", () => listener.ready());
      return client.connect().then(() => undefined);
    },
    isReady: () => client.isReady,
    destroy: () => {
      if (client.isOpen) client.destroy();
    },
    another: () => singleHandle(url, timeoutMs),
    replicasToConfirm: async () => 0,
    confirmsWrites: false,
  };
}

/** Hides a password in redis://user:password@host URLs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable url)";
  }
}
