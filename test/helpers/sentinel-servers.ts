/**
 * Prosody with our module and a bot's servers behind Redis Sentinel (docs/redis.md, docs/prosody.md "Redis
 * Sentinel and Redis Cluster"): a master, two replicas and three Sentinels (redis-sentinel.ts); Prosody is given the
 * Sentinels and the master's name, the bot `sentinel.env`. The scenario's `redis` is the tests' own user on the
 * first master: after a failover, reach the new one with `sentinel.adminUrl(port)`. Prosody's URL keeps its user and
 * password; the host and port are the Sentinels' to say (docs/prosody.md).
 */

import { type RedisSentinelSetup, SENTINEL_NAME, SENTINEL_PASSWORD, startRedisSentinel } from "./redis-sentinel.js";
import { TEST_REDIS_PASSWORDS } from "./redis-server.js";
import type { TestServers } from "./servers.js";
import { prosodyOn, standInRedis } from "./stand-in-servers.js";

export interface SentinelServers extends TestServers {
  readonly sentinel: RedisSentinelSetup;
}

export async function startSentinelServers(): Promise<SentinelServers> {
  const sentinel = await startRedisSentinel();
  try {
    const master = await sentinel.masterPort();
    const redis = standInRedis({
      port: master,
      adminUrl: sentinel.adminUrl(master),
      bot: {
        username: sentinel.env.REDIS_USERNAME ?? "xmpp-invite-bot",
        password: sentinel.env.REDIS_PASSWORD ?? TEST_REDIS_PASSWORDS.bot,
      },
      stop: () => sentinel.stop(),
      refused: "not supported behind Sentinel: use sentinel.failover() or killMaster()",
    });
    const sentinels = sentinel.sentinelPorts.map((port) => `"127.0.0.1:${port}"`).join(", ");
    const servers = await prosodyOn(redis, [
      `invites_redis_sentinels = { ${sentinels} }`,
      `invites_redis_sentinel_name = ${JSON.stringify(SENTINEL_NAME)}`,
      `invites_redis_sentinel_password = ${JSON.stringify(SENTINEL_PASSWORD)}`,
    ]);
    return { ...servers, sentinel };
  } catch (error) {
    await sentinel.stop();
    throw error;
  }
}
