/**
 * The node-redis client the store runs on, made here and handed to RedisConnection (redis-connection.ts), so that
 * another kind of client (Sentinel, Cluster) can be passed in later without touching the stores. Fails fast while
 * Redis is away (disableOfflineQueue) and reconnects in the background, 100 ms doubling to at most 2 s.
 */
import { createClient } from "@keyv/redis";

export type RedisClient = ReturnType<typeof createClient>;

/** A client not yet connected, and where it connects, for the log (no password). */
export interface RedisClientHandle {
  readonly client: RedisClient;
  readonly label: string;
}

const MAX_RECONNECT_DELAY_MS = 2_000;

/** A client of the one Redis server at `url` (REDIS_URL), connecting within `timeoutMs` (REDIS_TIMEOUT_MS). */
export function createRedisClient(url: string, timeoutMs: number): RedisClientHandle {
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
    },
  });
  return { client, label: redactUrl(url) };
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
