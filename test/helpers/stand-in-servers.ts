/**
 * What the Redis Cluster and Sentinel scenarios share (cluster-servers.ts, sentinel-servers.ts): a RedisServer that
 * stands for a set of nodes, with its outage methods refused, and Prosody with our module given extra options for
 * them, joined into the TestServers the scenario takes.
 */
import { type ProsodyServer, startProsody } from "./prosody-server.js";
import type { RedisServer } from "./redis-server.js";
import { TEST_REDIS_PASSWORDS } from "./redis-server.js";
import { inviteModuleOptions, type TestServers } from "./servers.js";

/** A RedisServer on node `port` (the one whose keys the tests read); halt, pause and the like are `refused`. */
export function standInRedis(options: {
  port: number;
  adminUrl: string;
  bot: { readonly username: string; readonly password: string };
  stop: () => Promise<void>;
  refused: string;
}): RedisServer {
  const { port, bot, refused } = options;
  const unsupported = (what: string): never => {
    throw new Error(`${what}: ${refused}`);
  };
  return {
    port,
    url: options.adminUrl,
    botUrl: `redis://${bot.username}:${bot.password}@127.0.0.1:${port}`,
    prosodyUrl: `redis://prosody:${TEST_REDIS_PASSWORDS.prosody}@127.0.0.1:${port}`,
    dir: "",
    halt: () => unsupported("halt"),
    pause: () => unsupported("pause"),
    resume: () => unsupported("resume"),
    start: () => unsupported("start"),
    restart: () => unsupported("restart"),
    stop: options.stop,
    logTail: () => "",
  };
}

/** Prosody with our module on `redis`, with `moreConfig` lines, and the two as TestServers. */
export async function prosodyOn(redis: RedisServer, moreConfig: readonly string[]): Promise<TestServers> {
  const options = inviteModuleOptions(redis.prosodyUrl);
  const prosody: ProsodyServer = await startProsody({
    ...options,
    extraConfig: [options.extraConfig ?? "", ...moreConfig].join("\n"),
  });
  return {
    prosody,
    redis,
    service: prosody.service,
    redisUrl: redis.botUrl,
    async stop() {
      const results = await Promise.allSettled([prosody.stop(), redis.stop()]);
      const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed !== undefined) throw failed.reason;
    },
  };
}
