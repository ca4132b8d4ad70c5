/**
 * A private ejabberd (the bot its XEP-0133 admin, with its HTTP API) and a three-master Redis Cluster
 * (redis-cluster.ts) for the bot's store (docs/redis.md, docs/servers.md): ejabberd never talks to Redis, the bot
 * claims and records every use there. `raw` is the tests' own user on the master that holds the host's slot:
 * every key of the host is there (`invite:{localhost}:…`), so raw checks read it as on one server.
 */
import { clusterBotEnv } from "./cluster-servers.js";
import { type EjabberdServer, startEjabberd } from "./ejabberd-server.js";
import type { EjabberdBotStore } from "./ejabberd-web-bots.js";
import { registerEjabberdAccounts } from "./ejabberd-web-bots.js";
import { type RedisCluster, startRedisCluster } from "./redis-cluster.js";
import { type RawRedis, rawRedisClient } from "./scenario.js";

export interface EjabberdOnCluster {
  readonly ejabberd: EjabberdServer;
  readonly cluster: RedisCluster;
  /** What startEjabberdWebBot needs for the bot to use the cluster (REDIS_URL emptied, REDIS_CLUSTER_NODES). */
  readonly store: EjabberdBotStore;
  /** The tests' own user on the master that holds the host's slot. */
  readonly raw: RawRedis;
  stop(): Promise<void>;
}

export async function startEjabberdOnCluster(): Promise<EjabberdOnCluster> {
  const [ejabberd, cluster] = await Promise.allSettled([
    startEjabberd({ admins: ["bot@localhost"], api: true }),
    startRedisCluster(),
  ]);
  const stopBoth = () =>
    Promise.allSettled([
      ejabberd.status === "fulfilled" ? ejabberd.value.stop() : undefined,
      cluster.status === "fulfilled" ? cluster.value.stop() : undefined,
    ]);
  if (ejabberd.status === "rejected" || cluster.status === "rejected") {
    await stopBoth();
    throw ejabberd.status === "rejected" ? ejabberd.reason : (cluster as PromiseRejectedResult).reason;
  }
  let raw: RawRedis | undefined;
  try {
    await registerEjabberdAccounts(ejabberd.value);
    const slotPort = await cluster.value.portOf("invite:{localhost}:layout");
    const client = rawRedisClient(cluster.value.adminUrl(slotPort));
    raw = client;
    client.on("error", () => {});
    await client.connect();
    return {
      ejabberd: ejabberd.value,
      cluster: cluster.value,
      store: { redisUrl: "", env: clusterBotEnv(cluster.value) },
      raw: client,
      async stop() {
        if (client.isOpen) client.destroy();
        await stopBoth();
      },
    };
  } catch (error) {
    if (raw?.isOpen) raw.destroy();
    await stopBoth();
    throw error;
  }
}
