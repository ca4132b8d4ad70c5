/**
 * A private Redis Sentinel setup on free loopback ports (docs/redis.md): a master and two replicas, each configured as
 * deployed (docker/redis/redis.conf copied, the ACL file of docker/redis/write-acl.sh, append-only file) plus the two
 * users replication and Sentinel need, and three redis-sentinel with a password of their own. failover() and
 * killMaster() return once every Sentinel names the new master and it answers as one.
 */
import { execFile } from "node:child_process";
import { appendFileSync, copyFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { onProcessExit } from "./exit-cleanup.js";
import { describeExit, type ManagedProcess, spawnManaged } from "./managed-process.js";
import { pollUntil } from "./poll.js";
import { freePort } from "./ports.js";
import { REDIS_INSTALL_COMMAND } from "./redis-cluster.js";
import { redisPing, TEST_REDIS_ADMIN, TEST_REDIS_PASSWORDS, writeDeployedAcl } from "./redis-server.js";
import { requireBinaries } from "./require-binary.js";

const run = promisify(execFile);
const REDIS_CONF = fileURLToPath(new URL("../../docker/redis/redis.conf", import.meta.url));
export const SENTINEL_NAME = "invites";
export const SENTINEL_PASSWORD = "testSentinelPassword0123456789";
/** The users a Sentinel setup needs on the data nodes (Redis's Sentinel documentation, "Redis ACL"). */
const SENTINEL_USER = { user: "sentinel", password: "testSentinelUserPassword0123" };
const REPLICA_USER = { user: "replica", password: "testReplicaUserPassword01234" };

export interface RedisSentinelSetup {
  /** REDIS_SENTINELS, REDIS_SENTINEL_NAME, REDIS_SENTINEL_PASSWORD and the bot's user, as the bot's environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly sentinelPorts: readonly number[];
  /** The tests' own user on a data node. */
  adminUrl(port: number): string;
  /** The master's port, as every Sentinel names it. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`: a replica becomes master; resolves with its port once it and the other nodes are in place. */
  failover(): Promise<number>;
  /** SIGKILLs the master, as a crash; resolves once a replica took over and the other follows it. */
  killMaster(): Promise<number>;
  stop(): Promise<void>;
}

/** `redis-cli` at 127.0.0.1:`port` with `auth` (asAdmin, asSentinelClient): its output, trimmed. */
export async function cli(port: number, auth: string[], ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...auth, ...args]);
  return stdout.trim();
}
export const asAdmin = ["--user", TEST_REDIS_ADMIN.user, "--pass", TEST_REDIS_ADMIN.password, "--no-auth-warning"];
export const asSentinelClient = ["-a", SENTINEL_PASSWORD, "--no-auth-warning"];

export async function startRedisSentinel(): Promise<RedisSentinelSetup> {
  requireBinaries(["redis-server", "redis-sentinel", "redis-cli"], REDIS_INSTALL_COMMAND);
  const dir = await mkdtemp(join(tmpdir(), "invite-bot-redis-sentinel-"));
  const forgetDir = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const data = new Map<number, ManagedProcess>();
  const sentinels: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all([...sentinels, ...data.values()].map((proc) => proc.stop()));
    await rm(dir, { recursive: true, force: true });
    forgetDir();
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, ms = 20_000) =>
    pollUntil(
      async () => check().catch(() => false),
      ms,
      () => new Error(`${what}:\n${[...data.values(), ...sentinels].map((p) => p.output(8)).join("\n--\n")}`),
    );

  try {
    const aclFile = join(dir, "users.acl");
    writeDeployedAcl(aclFile);
    appendFileSync(
      aclFile,
      `user ${SENTINEL_USER.user} on >${SENTINEL_USER.password} allchannels +multi +slaveof +ping +exec +subscribe ` +
        "+config|rewrite +role +publish +info +client|setname +client|kill +script|kill\n" +
        `user ${REPLICA_USER.user} on >${REPLICA_USER.password} +psync +replconf +ping\n`,
    );
    const startData = async (replicaOf?: number): Promise<number> => {
      const port = await freePort();
      const nodeDir = await mkdtemp(join(dir, "data-"));
      // A copy: Sentinel makes the nodes rewrite their configuration file (CONFIG REWRITE) on a failover.
      const conf = join(nodeDir, "redis.conf");
      copyFileSync(REDIS_CONF, conf);
      const settings: Record<string, string> = {
        port: String(port),
        bind: "127.0.0.1",
        dir: nodeDir,
        aclfile: aclFile,
        masteruser: REPLICA_USER.user,
        masterauth: REPLICA_USER.password,
        ...(replicaOf === undefined ? {} : { replicaof: `127.0.0.1 ${replicaOf}` }),
      };
      const args = [conf, ...Object.entries(settings).flatMap(([name, value]) => [`--${name}`, ...value.split(" ")])];
      const proc = spawnManaged("redis-server", args, nodeDir);
      data.set(port, proc);
      await waitFor(`redis-server ${port} did not answer PING`, async () => {
        const exit = proc.exit();
        if (exit !== undefined) throw new Error(`redis-server ${port} ${describeExit(exit)}:\n${proc.output()}`);
        return redisPing(port);
      });
      return port;
    };
    // Two replicas, as a deployment that must survive losing a node has: the bot confirms each invite on a replica
    // (WAIT, docs/redis.md), so after one node is lost for good one replica is still there to confirm it.
    const master = await startData();
    const replicas = [await startData(master), await startData(master)];
    for (const replica of replicas) {
      await waitFor("a replica did not sync", async () =>
        (await cli(replica, asAdmin, "INFO", "replication")).includes("master_link_status:up"),
      );
    }
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `requirepass ${SENTINEL_PASSWORD}`,
          `sentinel sentinel-pass ${SENTINEL_PASSWORD}`,
          `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${master} 2`,
          `sentinel auth-user ${SENTINEL_NAME} ${SENTINEL_USER.user}`,
          `sentinel auth-pass ${SENTINEL_NAME} ${SENTINEL_USER.password}`,
          `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_NAME} 3000`,
          "",
        ].join("\n"),
      );
      sentinels.push(spawnManaged("redis-sentinel", [conf], dir));
      sentinelPorts.push(port);
    }
    const namedBy = async (port: number) =>
      Number((await cli(port, asSentinelClient, "SENTINEL", "get-master-addr-by-name", SENTINEL_NAME)).split("\n")[1]);
    const agreed = async (): Promise<number | undefined> => {
      const named = await Promise.all(sentinelPorts.map(namedBy));
      return named.every((port) => port === named[0]) ? named[0] : undefined;
    };
    const settledOn = async (port: number) =>
      (await agreed()) === port && (await cli(port, asAdmin, "ROLE")).startsWith("master");
    // Each Sentinel knows the replica and the two others before anything may fail over.
    await waitFor("the Sentinels did not find each other and the replica", async () => {
      const views = await Promise.all(
        sentinelPorts.map((port) => cli(port, asSentinelClient, "SENTINEL", "master", SENTINEL_NAME)),
      );
      return views.every((view) => /num-slaves\n2\n/u.test(view) && /num-other-sentinels\n2\n/u.test(view));
    });
    const current = async () => {
      const port = await agreed();
      if (port === undefined) throw new Error("the Sentinels do not agree on the master");
      return port;
    };
    const alive = (port: number) => data.get(port)?.exit() === undefined;
    const replicaInSync = async (port: number) =>
      (await cli(port, asAdmin, "INFO", "replication")).includes("master_link_status:up");
    /** Resolves with the new master once the Sentinels agree on one other than `from`, and every live node follows it. */
    const settledAwayFrom = async (from: number, what: string): Promise<number> => {
      let to: number | undefined;
      await waitFor(what, async () => {
        const named = await agreed();
        if (named === undefined || named === from || !(await settledOn(named))) return false;
        to = named;
        return true;
      });
      const promoted = to as number;
      const followers = [...data.keys()].filter((port) => port !== promoted && alive(port));
      await waitFor(`the other nodes did not follow ${promoted}`, async () =>
        (await Promise.all(followers.map(replicaInSync))).every(Boolean),
      );
      return promoted;
    };
    return {
      env: {
        REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(","),
        REDIS_SENTINEL_NAME: SENTINEL_NAME,
        REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
        REDIS_USERNAME: "xmpp-invite-bot",
        REDIS_PASSWORD: TEST_REDIS_PASSWORDS.bot,
      },
      sentinelPorts,
      adminUrl: (port) => `redis://${TEST_REDIS_ADMIN.user}:${TEST_REDIS_ADMIN.password}@127.0.0.1:${port}`,
      masterPort: current,
      async failover() {
        const from = await current();
        await cli(from, asAdmin, "WAIT", "2", "2000");
        await cli(sentinelPorts[0] as number, asSentinelClient, "SENTINEL", "FAILOVER", SENTINEL_NAME);
        // The old master follows the new one, so that a later failover or kill has replicas in sync.
        return settledAwayFrom(from, "the Sentinels did not move the master");
      },
      async killMaster() {
        const from = await current();
        // As a crash: no WAIT first, so what the replicas had not copied yet is gone with it.
        data.get(from)?.child.kill("SIGKILL");
        return settledAwayFrom(from, "the Sentinels did not promote a replica");
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
