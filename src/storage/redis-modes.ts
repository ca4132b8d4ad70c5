/**
 * The Sentinel and Cluster handles of redis-client.ts (docs/redis.md). node-redis's Sentinel and Cluster clients say
 * less than a one-server client: a Sentinel client stays "ready" through a failover and queues commands until the
 * new master is known, a Cluster client says once that a node is up. So the link is tracked here: lost on a data
 * node's error, and usable again once a PING reaches every master (redis-probed-handle.ts); while it is lost the
 * connection refuses commands at once (redis-connection.ts), which keeps "try again" answers fast and keeps commands
 * from piling up behind a failover.
 */
import { createCluster, createSentinel, type RedisClusterType, type RedisSentinelType } from "@keyv/redis";
import type { RedisClient, RedisClientHandle } from "./redis-handle.js";
import { probedHandle, reconnectDelay } from "./redis-probed-handle.js";
import type { RedisCredentials, RedisNodeAddress, RedisTarget } from "./redis-target.js";
import { SentinelReplicaCount } from "./sentinel-replicas.js";

type SentinelTarget = Extract<RedisTarget, { sentinel: unknown }>["sentinel"];
type ClusterTarget = Extract<RedisTarget, { cluster: unknown }>["cluster"];

/** A master found through the Sentinels (REDIS_SENTINELS); a second handle is a second Sentinel client. */
export function sentinelHandle(target: SentinelTarget, timeoutMs: number): RedisClientHandle {
  const replicas = target.confirmReplicas === "all" ? new SentinelReplicaCount({ ...target, timeoutMs }) : undefined;
  const fixed = target.confirmReplicas === "all" ? 0 : target.confirmReplicas;
  const sentinel: RedisSentinelType = createSentinel({
    name: target.name,
    sentinelRootNodes: target.sentinels.map(({ host, port }) => ({ host, port })),
    nodeClientOptions: nodeOptions(target.credentials, timeoutMs),
    sentinelClientOptions: {
      ...(target.sentinelPassword === undefined ? {} : { password: target.sentinelPassword }),
      socket: { connectTimeout: timeoutMs },
    },
    // One connection to the master; never a replica: XREADGROUP counts as a read but writes the group's state.
    masterPoolSize: 1,
    replicaPoolSize: 0,
    // Keep looking for a master for as long as it takes: the link and the timeouts are ours (redis-connection.ts).
    maxCommandRediscovers: Number.MAX_SAFE_INTEGER,
    // Ask the Sentinels for the master every second, not every 10 s: node-redis 5 listens for the switch on the
    // channel `switch-master`, but the Sentinels announce it on `+switch-master`, so a planned failover went unseen
    // until the next scan, or until the old master, demoted, closed the connection (8 s and more).
    scanInterval: 1_000,
  });
  const client = withScanIterator(sentinel as unknown as RedisClient, (options) => scanByCursor(sentinel, options));
  return probedHandle({
    client,
    label: `redis sentinel ${target.name} via ${addresses(target.sentinels)}`,
    subscribe(lost) {
      sentinel.on("error", () => {}); // a Sentinel or a lookup failed: the master's own errors below say more
      sentinel.on("client-error", (event: { type: string; error: unknown }) => {
        if (event.type === "MASTER") lost(event.error);
      });
      sentinel.on("topology-change", (event: { type: string; node: RedisNodeAddress }) => {
        if (event.type === "MASTER_CHANGE") replicas?.masterIs(event.node);
      });
    },
    connect: async () => {
      await sentinel.connect();
      const master = sentinel.getMasterNode();
      if (master !== undefined) replicas?.masterIs(master);
    },
    probe: async () => {
      await sentinel.ping();
    },
    destroy: () => {
      replicas?.stop();
      if (sentinel.isOpen) void sentinel.destroy();
    },
    another: () => sentinelHandle(target, timeoutMs),
    replicasToConfirm: async () => replicas?.current() ?? fixed,
    confirmsWrites: target.confirmReplicas !== 0,
  });
}

/** A Redis Cluster (REDIS_CLUSTER_NODES): every key of a host is in one slot (`{HOST}`, docs/storage.md). */
export function clusterHandle(target: ClusterTarget, timeoutMs: number): RedisClientHandle {
  const cluster: RedisClusterType = createCluster({
    rootNodes: target.nodes.map(({ host, port }) => ({ socket: { host, port } })),
    defaults: nodeOptions(target.credentials, timeoutMs),
    // Masters only: node-redis would send XREADGROUP to a replica, which cannot write the group's state.
    useReplicas: false,
  });
  const client = withScanIterator(cluster as unknown as RedisClient, (options) => scanMasters(cluster, options));
  const masters = async () => Promise.all(cluster.masters.map((master) => cluster.nodeClient(master)));
  return probedHandle({
    client,
    label: `redis cluster ${addresses(target.nodes)}`,
    subscribe(lost) {
      cluster.on("error", (error: unknown) => lost(error));
      cluster.on("node-error", (error: unknown) => lost(error));
    },
    connect: async () => {
      await cluster.connect();
    },
    probe: async () => {
      await Promise.all((await masters()).map((node) => node.ping()));
    },
    destroy: () => {
      if (cluster.isOpen) cluster.destroy();
    },
    another: () => clusterHandle(target, timeoutMs),
  });
}

function nodeOptions(credentials: RedisCredentials, timeoutMs: number) {
  return {
    ...credentials,
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: reconnectDelay },
  };
}

const addresses = (nodes: readonly RedisNodeAddress[]): string =>
  nodes.map(({ host, port }) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`)).join(",");

type ScanOptions = { MATCH?: string; COUNT?: number };

/** The stores' SCAN (migrate-v1.ts): a one-server client's scanIterator, which neither of these clients has. */
function withScanIterator(client: RedisClient, scan: (options: ScanOptions) => AsyncIterable<string[]>): RedisClient {
  Object.defineProperty(client, "scanIterator", { value: scan });
  return client;
}

/** SCAN on the master, through the Sentinel client. */
async function* scanByCursor(sentinel: RedisSentinelType, options: ScanOptions): AsyncIterable<string[]> {
  let cursor = "0";
  do {
    const reply = await sentinel.scan(cursor, options);
    cursor = reply.cursor;
    if (reply.keys.length > 0) yield reply.keys;
  } while (cursor !== "0");
}

/** SCAN on every master of the cluster: a layout-1 store's keys are in many slots. */
async function* scanMasters(cluster: RedisClusterType, options: ScanOptions): AsyncIterable<string[]> {
  for (const master of cluster.masters) yield* (await cluster.nodeClient(master)).scanIterator(options);
}
