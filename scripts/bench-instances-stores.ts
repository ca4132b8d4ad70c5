/**
 * The three Redis set-ups of the instances phase, each as the tests start it and as deployed (the bot's ACL user,
 * docker/redis/redis.conf, append-only file): one server (test/helpers/redis-server.ts), a master with two replicas
 * behind three Sentinels (test/helpers/redis-sentinel.ts), a three-master Cluster (test/helpers/redis-cluster.ts).
 * Each gives the bot's environment and the process ids of its servers, named by role, to read their CPU time.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { clusterBotEnv } from "../test/helpers/cluster-servers.js";
import { startRedisCluster } from "../test/helpers/redis-cluster.js";
import {
  type RedisSentinelSetup,
  SENTINEL_NAME,
  SENTINEL_PASSWORD,
  startRedisSentinel,
} from "../test/helpers/redis-sentinel.js";
import { redisProcessId, startRedis, TEST_REDIS_ADMIN } from "../test/helpers/redis-server.js";

const run = promisify(execFile);

export type StoreName = "Redis" | "Sentinel" | "Cluster";
export const STORE_NAMES: readonly StoreName[] = ["Redis", "Sentinel", "Cluster"];

export interface BenchStore {
  name: StoreName;
  /** What runs, for the report. */
  layout: string;
  botEnv: Record<string, string>;
  /** Role → pid of every server process now (a Sentinel's master moves: ask again after a failover). */
  processes(): Promise<Record<string, number>>;
  /** Only for "Sentinel". */
  sentinel?: RedisSentinelSetup;
  /** Only for "Sentinel": the master's port as the first Sentinel (the one asked to fail over) names it now. */
  namedMaster?: () => Promise<number>;
  stop(): Promise<void>;
}

/** The key every invite of BOT_HOST shares a slot with (`invite:{HOST}:…`, docs/storage.md). */
const HOST_KEY = "invite:{localhost}:layout";

/** `confirmReplicas`: REDIS_SENTINEL_CONFIRM_REPLICAS for the bots behind Sentinel (the bot's default if undefined). */
export async function startStore(name: StoreName, confirmReplicas?: string): Promise<BenchStore> {
  if (name === "Redis") {
    const redis = await startRedis();
    return {
      name,
      layout: "one redis-server",
      botEnv: { REDIS_URL: redis.botUrl },
      processes: async () => ({ redis: await pidOf(redis.port) }),
      stop: () => redis.stop(),
    };
  }
  if (name === "Cluster") {
    const cluster = await startRedisCluster();
    const slotPort = await cluster.portOf(HOST_KEY).catch(async (error: unknown) => {
      await cluster.stop();
      throw error;
    });
    return {
      name,
      layout: "three masters, no replicas",
      botEnv: clusterBotEnv(cluster),
      async processes() {
        const named: Record<string, number> = {};
        for (const port of cluster.ports) {
          named[port === slotPort ? "node with the host's slot" : `other node ${port}`] = await pidOf(port);
        }
        return named;
      },
      stop: () => cluster.stop(),
    };
  }
  const sentinel = await startRedisSentinel();
  return {
    name,
    layout: `master + 2 replicas, 3 Sentinels, REDIS_SENTINEL_CONFIRM_REPLICAS ${confirmReplicas ?? "(the default)"}`,
    botEnv: {
      ...sentinel.env,
      ...(confirmReplicas === undefined ? {} : { REDIS_SENTINEL_CONFIRM_REPLICAS: confirmReplicas }),
    },
    sentinel,
    async namedMaster() {
      const answer = await cli(
        sentinel.sentinelPorts[0] as number,
        ["-a", SENTINEL_PASSWORD],
        "SENTINEL",
        "get-master-addr-by-name",
        SENTINEL_NAME,
      );
      return Number(answer.split("\n")[1]);
    },
    async processes() {
      const master = await sentinel.masterPort();
      const named: Record<string, number> = { master: await pidOf(master) };
      for (const [i, port] of (await replicaPorts(master)).entries()) named[`replica ${i + 1}`] = await pidOf(port);
      for (const [i, port] of sentinel.sentinelPorts.entries()) named[`sentinel ${i + 1}`] = await sentinelPid(port);
      return named;
    },
    stop: () => sentinel.stop(),
  };
}

async function pidOf(port: number): Promise<number> {
  const pid = await redisProcessId(port);
  if (pid === undefined) throw new Error(`could not read the process id of redis-server on port ${port}`);
  return pid;
}

async function cli(port: number, auth: string[], ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    ...auth,
    "--no-auth-warning",
    ...args,
  ]);
  return stdout;
}

/** The master's connected replicas, from its `INFO replication` (`slave0:ip=…,port=P,state=online,…`). */
async function replicaPorts(master: number): Promise<number[]> {
  const info = await cli(
    master,
    ["--user", TEST_REDIS_ADMIN.user, "--pass", TEST_REDIS_ADMIN.password],
    "INFO",
    "replication",
  );
  return [...info.matchAll(/^slave\d+:.*?port=(\d+)/gmu)].map((match) => Number(match[1]));
}

/** A Sentinel's `process_id`: it has its own password (requirepass), not the data nodes' users. */
async function sentinelPid(port: number): Promise<number> {
  const info = await cli(port, ["-a", SENTINEL_PASSWORD], "INFO", "server");
  const pid = Number(/^process_id:(\d+)/mu.exec(info)?.[1]);
  if (!Number.isSafeInteger(pid)) throw new Error(`could not read the process id of the Sentinel on port ${port}`);
  return pid;
}
