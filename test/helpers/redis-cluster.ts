/**
 * A private Redis Cluster of three masters on free loopback ports (docs/redis.md), each configured as deployed
 * (docker/redis/redis.conf, the ACL file of docker/redis/write-acl.sh, append-only file), joined with
 * `redis-cli --cluster create`. No replicas: the suites test the bot on a cluster, not the cluster's own failover.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { onProcessExit } from "./exit-cleanup.js";
import { describeExit, type ManagedProcess, spawnManaged } from "./managed-process.js";
import { pollUntil } from "./poll.js";
import { freePort } from "./ports.js";
import {
  REDIS_BINARIES,
  type RedisBinaries,
  redisPing,
  TEST_REDIS_ADMIN,
  TEST_REDIS_PASSWORDS,
  writeDeployedAcl,
} from "./redis-server.js";
import { requireBinaries } from "./require-binary.js";

const run = promisify(execFile);
const REDIS_CONF = fileURLToPath(new URL("../../docker/redis/redis.conf", import.meta.url));
export const REDIS_INSTALL_COMMAND = "apt-get install -y redis-server redis-tools redis-sentinel";

/**
 * What the bot's user needs on a cluster beyond docker/redis/acl-rules.conf: node-redis learns the slots with
 * `CLUSTER SLOTS`, and follows an `ASK` redirection (a slot being moved) with `ASKING`. Added here only while
 * acl-rules.conf lacks them (docs/redis.md asks operators of a cluster to add them).
 */
export const BOT_CLUSTER_RULES = ["+cluster|slots", "+asking"];

/** The deployed ACL file, with the bot's cluster commands (BOT_CLUSTER_RULES) if the rules do not have them. */
export function writeClusterAcl(path: string): void {
  writeDeployedAcl(path);
  const lines = readFileSync(path, "utf8").split("\n");
  const withCluster = lines.map((line) => {
    if (!line.startsWith("user xmpp-invite-bot ")) return line;
    const missing = BOT_CLUSTER_RULES.filter((rule) => !line.split(" ").includes(rule));
    return [line, ...missing].join(" ");
  });
  writeFileSync(path, withCluster.join("\n"), { mode: 0o600 });
}

export interface RedisCluster {
  /** The three masters' ports. */
  readonly ports: readonly number[];
  /** REDIS_CLUSTER_NODES for the bot. */
  readonly nodes: string;
  /** The bot's ACL user (REDIS_USERNAME, REDIS_PASSWORD). */
  readonly botCredentials: { readonly username: string; readonly password: string };
  /** The tests' own user on one node, to inspect (every key of a host is in one slot: ask `portOf`). */
  readonly adminUrl: (port: number) => string;
  /** The port of the master that holds `key`'s slot (CLUSTER KEYSLOT, CLUSTER SLOTS). */
  portOf(key: string): Promise<number>;
  stop(): Promise<void>;
}

/** Runs `binary` (redis-cli or the like) as the tests' user against 127.0.0.1:`port`. */
async function cliOf(binary: string, port: number, ...args: string[]): Promise<string> {
  const auth = ["--user", TEST_REDIS_ADMIN.user, "--pass", TEST_REDIS_ADMIN.password, "--no-auth-warning"];
  const { stdout } = await run(binary, ["-h", "127.0.0.1", "-p", String(port), ...auth, ...args]);
  return stdout;
}

export interface StartRedisClusterOptions {
  /**
   * The server and its cli (`--cluster create`), e.g. Valkey's (test/helpers/valkey.ts, which checks they exist);
   * redis-server and redis-cli on PATH by default.
   */
  binaries?: RedisBinaries;
}

/** Starts three cluster-enabled redis-servers (or `binaries`), joins them, and resolves once every slot is served. */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  if (options.binaries === undefined) requireBinaries(["redis-server", "redis-cli"], REDIS_INSTALL_COMMAND);
  const binaries = options.binaries ?? REDIS_BINARIES;
  const name = basename(binaries.server);
  const cli = (port: number, ...args: string[]) => cliOf(binaries.cli, port, ...args);
  const dir = await mkdtemp(join(tmpdir(), "invite-bot-redis-cluster-"));
  const forgetDir = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const procs: ManagedProcess[] = [];
  const stop = async () => {
    await Promise.all(procs.map((proc) => proc.stop()));
    await rm(dir, { recursive: true, force: true });
    forgetDir();
  };
  try {
    const aclFile = join(dir, "users.acl");
    writeClusterAcl(aclFile);
    const ports: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const busPort = await freePort();
      const nodeDir = await mkdtemp(join(dir, "node-"));
      const settings = {
        port: String(port),
        "cluster-port": String(busPort),
        bind: "127.0.0.1",
        dir: nodeDir,
        aclfile: aclFile,
        "cluster-enabled": "yes",
        "cluster-config-file": join(nodeDir, "nodes.conf"),
        "cluster-node-timeout": "2000",
      };
      const args = [REDIS_CONF, ...Object.entries(settings).flatMap(([name, value]) => [`--${name}`, value])];
      const proc = spawnManaged(binaries.server, args, nodeDir);
      procs.push(proc);
      ports.push(port);
      await pollUntil(
        async () => {
          const exit = proc.exit();
          if (exit !== undefined) throw new Error(`${name} ${port} ${describeExit(exit)}:\n${proc.output()}`);
          return redisPing(port);
        },
        10_000,
        () => new Error(`cluster node ${port} did not answer PING:\n${proc.output()}`),
      );
    }
    const first = ports[0] as number;
    await cli(first, "--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-yes");
    await pollUntil(
      async () => (await Promise.all(ports.map((port) => cli(port, "CLUSTER", "INFO")))).every(isOk),
      15_000,
      () => new Error(`the cluster did not reach cluster_state:ok:\n${procs.map((p) => p.output(10)).join("\n")}`),
    );
    return {
      ports,
      nodes: ports.map((port) => `127.0.0.1:${port}`).join(","),
      botCredentials: { username: "xmpp-invite-bot", password: TEST_REDIS_PASSWORDS.bot },
      adminUrl: (port) => `redis://${TEST_REDIS_ADMIN.user}:${TEST_REDIS_ADMIN.password}@127.0.0.1:${port}`,
      async portOf(key) {
        const slot = Number((await cli(first, "CLUSTER", "KEYSLOT", key)).trim());
        for (const port of ports) {
          const self = (await cli(port, "CLUSTER", "NODES")).split("\n").find((line) => line.includes("myself"));
          if (self !== undefined && ownsSlot(self, slot)) return port;
        }
        throw new Error(`no master holds slot ${slot}`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const isOk = (info: string) => info.includes("cluster_state:ok");

/** Whether a CLUSTER NODES line's slot ranges (`0-5460`, `5461`) include `slot`. */
function ownsSlot(line: string, slot: number): boolean {
  return line
    .split(" ")
    .slice(8)
    .some((range) => {
      const [from, to = from] = range.split("-").map(Number);
      return from !== undefined && to !== undefined && slot >= from && slot <= to;
    });
}
