/**
 * A private, throw-away redis-server on a free loopback port, configured as deployed (docker-compose.yml,
 * docs/security.md): docker/redis/redis.conf, with the ACL file exactly as docker/redis/write-acl.sh writes it
 * (default user off) and an append-only file, so a restart replays it as a deployed Redis does.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { onProcessExit } from "./exit-cleanup.js";
import { describeExit, type ManagedProcess, spawnManaged } from "./managed-process.js";
import { pollUntil } from "./poll.js";
import { freePort } from "./ports.js";
import { tcpExchange } from "./tcp.js";

export interface RedisServer {
  port: number;
  /** The tests' own user, which may do anything (it inspects and forges keys): `redis://TESTS:PW@127.0.0.1:PORT`. */
  url: string;
  /** The bot's ACL user of docs/security.md (docker/redis/acl-rules.conf). */
  botUrl: string;
  /** Prosody's ACL user of docs/security.md. */
  prosodyUrl: string;
  /** Working directory of the server (removed by stop()). */
  dir: string;
  /** Stops the process but keeps its directory, for an outage; start() brings it back on the same port. */
  halt(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open and nothing is answered, as with a hung server. */
  pause(): void;
  /** Lets a paused process go on (SIGCONT); it then works through what was sent meanwhile. */
  resume(): void;
  /** Starts the process again after halt(). */
  start(): Promise<void>;
  /** Stops the server and waits for it to exit; the data is lost. */
  stop(): Promise<void>;
  /** Stops the server (SIGTERM, as `docker compose restart` does), then starts it again on the same port with its data. */
  restart(): Promise<void>;
  /** The last lines the server printed. */
  logTail(lines?: number): string;
}

/**
 * The programs that run a server and talk to it: Redis's by default, or another server of the same protocol and
 * configuration (Valkey 8: test/helpers/valkey.ts). Absolute paths or names on PATH.
 */
export interface RedisBinaries {
  readonly server: string;
  readonly cli: string;
}

export const REDIS_BINARIES: RedisBinaries = { server: "redis-server", cli: "redis-cli" };

export interface StartRedisOptions {
  /** Port to listen on; a free one by default. */
  port?: number;
  /** The server to run (only `server` is used: readiness is checked over a raw socket); REDIS_BINARIES by default. */
  binaries?: RedisBinaries;
  /** How long to wait for `PING` to answer `+PONG` (from this very process). */
  readyTimeoutMs?: number;
}

/** The tests' own Redis user: every key and command (the default user is off, as deployed). */
export const TEST_REDIS_ADMIN = { user: "invite-bot-tests", password: "testAdminPassword0123456789" };
const AUTH = `AUTH ${TEST_REDIS_ADMIN.user} ${TEST_REDIS_ADMIN.password}\r\n`;

/** Sends `PING` (as the tests' user) over a raw socket to 127.0.0.1:`port`; resolves true on `+PONG`. */
export async function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  try {
    const answer = await tcpExchange(port, `${AUTH}PING\r\n`, (received) => /\r\n.*\r\n/su.test(received), timeoutMs);
    return answer === "+OK\r\n+PONG\r\n";
  } catch {
    return false;
  }
}

/** The `process_id` reported by `INFO server` on 127.0.0.1:`port`, or undefined. */
export async function redisProcessId(port: number, timeoutMs = 1000): Promise<number | undefined> {
  try {
    const answer = await tcpExchange(
      port,
      `${AUTH}INFO server\r\n`,
      (received) => received.startsWith("+OK\r\n") && isCompleteBulkReply(received.slice(5)),
      timeoutMs,
    );
    const match = /\r\nprocess_id:(\d+)\r\n/.exec(answer);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** True once `received` holds a whole RESP bulk-string reply (or an error/simple reply). */
function isCompleteBulkReply(received: string): boolean {
  const headerEnd = received.indexOf("\r\n");
  if (headerEnd === -1) return false;
  if (!received.startsWith("$")) return true;
  const length = Number(received.slice(1, headerEnd));
  return Buffer.byteLength(received) >= headerEnd + 2 + length + 2;
}

/** The passwords of the ACL users in the tests (letters and digits only, as write-acl.sh requires). */
export const TEST_REDIS_PASSWORDS = { bot: "testBotPassword0123456789", prosody: "testProsodyPassword0123456789" };

const WRITE_ACL = fileURLToPath(new URL("../../docker/redis/write-acl.sh", import.meta.url));
const REDIS_CONF = fileURLToPath(new URL("../../docker/redis/redis.conf", import.meta.url));

/**
 * The ACL file docker-compose.yml gives Redis, as docker/redis/write-acl.sh writes it, with one user added
 * at the end: the tests' own, which inspects and forges keys. Nothing of what the script wrote is changed.
 */
export function writeDeployedAcl(path: string): void {
  execFileSync("sh", [WRITE_ACL, path], {
    env: {
      ...process.env,
      REDIS_BOT_PASSWORD: TEST_REDIS_PASSWORDS.bot,
      REDIS_PROSODY_PASSWORD: TEST_REDIS_PASSWORDS.prosody,
    },
  });
  const written = readFileSync(path, "utf8");
  if (!written.startsWith("user default off")) throw new Error(`unexpected ACL file from write-acl.sh: ${written}`);
  const tests = `user ${TEST_REDIS_ADMIN.user} on >${TEST_REDIS_ADMIN.password} ~* &* +@all\n`;
  writeFileSync(path, `${written}${tests}`, { mode: 0o600 });
}

/** Starts redis-server (or `options.binaries.server`) in the foreground and resolves once it answers PING. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const server = (options.binaries ?? REDIS_BINARIES).server;
  const name = basename(server);
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), "invite-bot-redis-"));
  const forgetDir = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const aclFile = join(dir, "users.acl");
  let proc: ManagedProcess | undefined;

  const launch = async (): Promise<void> => {
    // docker/redis/redis.conf, as compose runs it; only where it listens and keeps its files differ.
    const settings: Record<string, string> = {
      port: String(port),
      bind: "127.0.0.1",
      dir,
      aclfile: aclFile,
    };
    const args = [REDIS_CONF, ...Object.entries(settings).flatMap(([name, value]) => [`--${name}`, value])];
    const started = spawnManaged(server, args, dir);
    proc = started;
    await pollUntil(
      async () => {
        const exit = started.exit();
        if (exit !== undefined) {
          throw new Error(`${name} on port ${port} ${describeExit(exit)} before it was ready:\n${started.output()}`);
        }
        // Our PID must answer: a foreign server that grabbed the port must not be mistaken for ours.
        return (await redisPing(port)) && (await redisProcessId(port)) === started.pid;
      },
      readyTimeoutMs,
      () => new Error(`${name} on port ${port} did not answer PING within ${readyTimeoutMs} ms:\n${started.output()}`),
    ).catch(async (error: unknown) => {
      await started.stop();
      throw error;
    });
  };

  const signal = (name: NodeJS.Signals): void => {
    if (proc?.pid === undefined) throw new Error(`${name} is not running`);
    process.kill(proc.pid, name);
  };

  const halt = async (): Promise<void> => {
    await proc?.stop();
  };

  try {
    writeDeployedAcl(aclFile);
    // launch() stops the process itself if it does not get ready.
    await launch();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    forgetDir();
    throw error;
  }

  return {
    port,
    url: `redis://${TEST_REDIS_ADMIN.user}:${TEST_REDIS_ADMIN.password}@127.0.0.1:${port}`,
    botUrl: `redis://xmpp-invite-bot:${TEST_REDIS_PASSWORDS.bot}@127.0.0.1:${port}`,
    prosodyUrl: `redis://prosody:${TEST_REDIS_PASSWORDS.prosody}@127.0.0.1:${port}`,
    dir,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
      forgetDir();
    },
    halt,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    start: launch,
    async restart() {
      await halt();
      await launch();
    },
    logTail: (lines = 40) => proc?.output(lines) ?? "",
  };
}
