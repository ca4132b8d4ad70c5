/**
 * Prosody with our module and a bot's servers on a Redis Cluster (docs/redis.md, docs/prosody.md "Redis Sentinel and
 * Redis Cluster"): three masters (redis-cluster.ts), Prosody given every node in `invites_redis_cluster_nodes`
 * with a node that does NOT hold the host's slot first, so that its first call is redirected (MOVED) and it must
 * follow. The scenario's `redis` is the tests' own user on the node that holds the slot: every key of the host is
 * there (`invite:{localhost}:…`), so raw checks read it as on one server. Bots need `clusterBotEnv`.
 */
import { type RedisCluster, type StartRedisClusterOptions, startRedisCluster } from "./redis-cluster.js";
import type { TestServers } from "./servers.js";
import { prosodyOn, standInRedis } from "./stand-in-servers.js";

export interface ClusterServers extends TestServers {
  readonly cluster: RedisCluster;
  /** The port of the master that holds the host's slot. */
  readonly slotPort: number;
}

/** What a test bot needs to use the cluster instead of REDIS_URL (src/config/redis.ts). */
export function clusterBotEnv(cluster: RedisCluster): Record<string, string> {
  return {
    REDIS_URL: "",
    REDIS_CLUSTER_NODES: cluster.nodes,
    REDIS_USERNAME: cluster.botCredentials.username,
    REDIS_PASSWORD: cluster.botCredentials.password,
  };
}

/** The cluster of `options` (Redis's by default, or e.g. Valkey's binaries) and Prosody on it. */
export async function startClusterServers(options: StartRedisClusterOptions = {}): Promise<ClusterServers> {
  const cluster = await startRedisCluster(options);
  try {
    const slotPort = await cluster.portOf("invite:{localhost}:layout");
    const others = cluster.ports.filter((port) => port !== slotPort);
    const order = [...others, slotPort].map((port) => `"127.0.0.1:${port}"`).join(", ");
    const redis = standInRedis({
      port: slotPort,
      adminUrl: cluster.adminUrl(slotPort),
      bot: cluster.botCredentials,
      stop: () => cluster.stop(),
      refused: "not supported on the test cluster",
    });
    const servers = await prosodyOn(redis, [`invites_redis_cluster_nodes = { ${order} }`]);
    return { ...servers, cluster, slotPort };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
