/**
 * Prosody with our module and a bot's servers behind Redis Sentinel (docs/redis.md, docs/prosody.md "Redis
 * Sentinel and Redis Cluster"): a master, a replica and three Sentinels (redis-sentinel.ts); Prosody is given the
 * Sentinels and the master's name, the bot `sentinel.env`. The scenario's `redis` is the tests' own user on the
 * first master: after a failover, reach the new one with `sentinel.adminUrl(port)`.
 */
import { startProsody } from "./prosody-server.js";
import { type RedisSentinelSetup, SENTINEL_NAME, SENTINEL_PASSWORD, startRedisSentinel } from "./redis-sentinel.js";
import type { RedisServer } from "./redis-server.js";
import { TEST_REDIS_PASSWORDS } from "./redis-server.js";
import { inviteModuleOptions, type TestServers } from "./servers.js";

export interface SentinelServers extends TestServers {
  readonly sentinel: RedisSentinelSetup;
}

function unsupported(what: string): never {
  throw new Error(`${what} is not supported behind Sentinel: use sentinel.failover() or killMaster()`);
}

export async function startSentinelServers(): Promise<SentinelServers> {
  const sentinel = await startRedisSentinel();
  try {
    const master = await sentinel.masterPort();
    const botUser = sentinel.env.REDIS_USERNAME ?? "xmpp-invite-bot";
    const botPassword = sentinel.env.REDIS_PASSWORD ?? TEST_REDIS_PASSWORDS.bot;
    const redis: RedisServer = {
      port: master,
      url: sentinel.adminUrl(master),
      botUrl: `redis://${botUser}:${botPassword}@127.0.0.1:${master}`,
      // The host and port are the Sentinels' to say: only the user and password count (docs/prosody.md).
      prosodyUrl: `redis://prosody:${TEST_REDIS_PASSWORDS.prosody}@127.0.0.1:${master}`,
      dir: "",
      halt: () => unsupported("halt"),
      pause: () => unsupported("pause"),
      resume: () => unsupported("resume"),
      start: () => unsupported("start"),
      restart: () => unsupported("restart"),
      stop: () => sentinel.stop(),
      logTail: () => "",
    };
    const options = inviteModuleOptions(redis.prosodyUrl);
    const sentinels = sentinel.sentinelPorts.map((port) => `"127.0.0.1:${port}"`).join(", ");
    const prosody = await startProsody({
      ...options,
      extraConfig: [
        options.extraConfig ?? "",
        `invites_redis_sentinels = { ${sentinels} }`,
        `invites_redis_sentinel_name = ${JSON.stringify(SENTINEL_NAME)}`,
        `invites_redis_sentinel_password = ${JSON.stringify(SENTINEL_PASSWORD)}`,
      ].join("\n"),
    });
    return {
      prosody,
      redis,
      service: prosody.service,
      redisUrl: redis.botUrl,
      sentinel,
      async stop() {
        const results = await Promise.allSettled([prosody.stop(), sentinel.stop()]);
        const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
        if (failed !== undefined) throw failed.reason;
      },
    };
  } catch (error) {
    await sentinel.stop();
    throw error;
  }
}
