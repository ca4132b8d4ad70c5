/** Starts the private Prosody and Redis that the integration tests run against. */
import { type ProsodyServer, type StartProsodyOptions, startProsody } from "./prosody-server.js";
import { type RedisServer, startRedis } from "./redis-server.js";
import { requireBinaries } from "./require-binary.js";

export interface TestServers {
  prosody: ProsodyServer;
  redis: RedisServer;
  /** Same as prosody.service (`xmpp://127.0.0.1:PORT`). */
  service: string;
  /** Same as redis.url (`redis://127.0.0.1:PORT`). */
  redisUrl: string;
  /** Stops both servers (each even if the other fails to stop). */
  stop(): Promise<void>;
}

/** Throws with the install command if a binary is missing; never skips. */
export async function startServers(prosodyOptions: StartProsodyOptions = {}): Promise<TestServers> {
  requireBinaries();
  const [prosody, redis] = await Promise.allSettled([startProsody(prosodyOptions), startRedis()]);
  if (prosody.status === "rejected" || redis.status === "rejected") {
    if (prosody.status === "fulfilled") await prosody.value.stop();
    if (redis.status === "fulfilled") await redis.value.stop();
    throw prosody.status === "rejected" ? prosody.reason : (redis as PromiseRejectedResult).reason;
  }
  return {
    prosody: prosody.value,
    redis: redis.value,
    service: prosody.value.service,
    redisUrl: redis.value.url,
    async stop() {
      const results = await Promise.allSettled([prosody.value.stop(), redis.value.stop()]);
      const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed !== undefined) throw failed.reason;
    },
  };
}
