/**
 * A RedisConnection of the bot's own kind (src/storage/redis-connection.ts), connected: for the contract tests of a
 * Redis store that stand the store on connections of their own, one per bot instance they play.
 */
import { createLogger } from "../../src/logger.js";
import { createRedisClient } from "../../src/storage/redis-client.js";
import { RedisConnection } from "../../src/storage/redis-connection.js";

/** Resolves once the connection is ready; close it when done. */
export async function connectedRedis(url: string, timeoutMs: number): Promise<RedisConnection> {
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const connection = new RedisConnection({
    ...createRedisClient(url, timeoutMs),
    timeoutMs,
    log: createLogger("silent"),
    onReady: () => ready(),
  });
  connection.connect();
  await isReady;
  return connection;
}
