/**
 * The bot as it runs in production, in a child process of its own: src/ compiled with the project's
 * tsconfig.build.json into a temp dir and started with `node dist/main.js` (no tsx loader in the measured
 * process), so that its resident memory can be read from /proc/<pid>/status and its start-up timed from
 * spawn to the `Online` log line.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { copyFile, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onProcessExit } from "../test/helpers/exit-cleanup.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface BotBuild {
  /** Absolute path of the compiled main.js. */
  main: string;
  /** Seconds tsc took. */
  seconds: number;
  /** tsc's complaints when it emitted JavaScript but reported type errors (someone is mid-edit); else "". */
  warnings: string;
  remove(): Promise<void>;
}

/** `tsc -p tsconfig.build.json --outDir <tmp>/dist`, plus the package.json and node_modules the output needs. */
export async function buildBot(): Promise<BotBuild> {
  const dir = await mkdtemp(join(tmpdir(), "invite-bot-bench-build-"));
  const forget = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const remove = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true });
    forget();
  };
  try {
    // "type": "module" for the emitted ESM, and version.ts reads ../package.json.
    await copyFile(join(ROOT, "package.json"), join(dir, "package.json"));
    await symlink(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    // The web pages' data files and the Redis scripts shared with Prosody sit next to dist/, as in the image.
    await symlink(join(ROOT, "data"), join(dir, "data"), "dir");
    await symlink(join(ROOT, "prosody"), join(dir, "prosody"), "dir");
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const outDir = join(dir, "dist");
    const started = performance.now();
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [tsc, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", outDir, "--sourceMap", "false"],
        { cwd: ROOT, timeout: 120_000, maxBuffer: 8 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
      );
    });
    const main = join(outDir, "main.js");
    if (!existsSync(main)) throw new Error(`tsc did not emit ${main} (exit ${result.code}):\n${result.output}`);
    return {
      main,
      seconds: (performance.now() - started) / 1000,
      warnings: result.code === 0 ? "" : result.output.trim(),
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** What a part that runs its own bots from the build needs (the notices and soak parts). */
export interface BuiltBotContext<Settings> {
  settings: Settings;
  build: BotBuild;
  /** The bot's `node` flags, those of `npm start` unless BENCH_BOT_NODE_FLAGS says otherwise. */
  nodeFlags: readonly string[];
  log(text: string): void;
  defer(task: () => Promise<unknown>): void;
}

export interface BotMemory {
  rssMiB: number;
  peakMiB: number;
  /** Heap, stacks, malloc: memory of this process alone. */
  anonMiB: number;
  /** Mapped files, mostly the node binary's code, shared with every other node process. */
  fileMiB: number;
}

export interface BotProcess {
  pid: number;
  /** Milliseconds from spawn() to the `Online` log line. */
  onlineMs: number;
  /** Milliseconds from spawn() to the `Connecting` log line: node's start-up and loading the bot's modules. */
  connectingMs: number | undefined;
  /** The process's memory now, in MiB: VmRSS, VmHWM (peak RSS), and RSS split into anonymous and file-backed. */
  memory(): BotMemory;
  /** How many lines of each level the bot logged so far. */
  logCounts(): Record<string, number>;
  /** The last lines the bot printed. */
  output(lines?: number): string;
  /** SIGTERM (the bot's clean shutdown), SIGKILL after 5 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * The bot's own limits out of the way, for a benchmark: the quota stays on (a Redis round trip per invite, as in
 * production) but never bites, and flood control (a token bucket per requester) is at its maximum, so that one
 * user with 16 requests in flight measures capacity rather than the limiter.
 */
export const UNLIMITED_BOT_ENV = {
  INVITE_QUOTA: "100000",
  INVITE_MAX_PENDING: "100000",
  INVITE_TREE_MAX: "0",
  RATE_LIMIT_BURST: "10000",
  RATE_LIMIT_PER_SECOND: "10000",
} as const;

/** Variables that must not leak from the caller's environment into the bot's configuration. */
const BOT_VARIABLES =
  /^(XMPP_|REDIS_|ADMIN_JIDS$|ALLOW_|NOTIFY_ADMINS$|INVITE_|RATE_LIMIT_|WEB_|SITE_NAME$|TRUST_PROXY$|LOG_LEVEL$|NODE_OPTIONS$|NODE_ENV$)/u;

/** Spawns `node <main>` with `env` (and a clean environment otherwise); resolves once it logged `Online`. */
export async function spawnBot(
  main: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
  nodeFlags: readonly string[] = [],
): Promise<BotProcess> {
  const cwd = join(main, "..", ".."); // the build dir: no .env there for dotenv to pick up
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !BOT_VARIABLES.test(name)));
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, main], {
    cwd,
    // Several bench bots run at once: none takes the ops listener's port unless the bench asks for it.
    env: { ...inherited, OPS_LISTEN: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const unregister = onProcessExit(() => child.kill("SIGKILL"));
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      unregister();
      resolve(code);
    });
    child.once("error", () => resolve(null));
  });

  let kept = "";
  let partial = "";
  const counts: Record<string, number> = {};
  let onlineAt: number | undefined;
  let connectingAt: number | undefined;
  let onOnline: () => void = () => {};
  const online = new Promise<void>((resolve) => {
    onOnline = resolve;
  });
  const onData = (chunk: Buffer): void => {
    const text = partial + chunk.toString("utf8");
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      kept = `${kept}${line}\n`.slice(-32 * 1024);
      const level = /^\S+\s+(DEBUG|INFO|WARN|ERROR)\s/u.exec(line)?.[1];
      if (level !== undefined) counts[level] = (counts[level] ?? 0) + 1;
      if (connectingAt === undefined && /^\S+\s+INFO\s+Connecting\b/u.test(line)) connectingAt = performance.now();
      if (onlineAt === undefined && /^\S+\s+INFO\s+Online\b/u.test(line)) {
        onlineAt = performance.now();
        onOnline();
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);

  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    online.then(() => "online" as const),
    exited.then((code) => `exited with code ${String(code)}` as const),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`did not log "Online" within ${timeoutMs} ms`), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome !== "online" || onlineAt === undefined || child.pid === undefined) {
    await stop();
    throw new Error(`the bot ${outcome}:\n${kept}${partial}`);
  }

  const pid = child.pid;
  return {
    pid,
    onlineMs: onlineAt - started,
    connectingMs: connectingAt === undefined ? undefined : connectingAt - started,
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "mu").exec(status)?.[1]);
      return {
        rssMiB: kib("VmRSS") / 1024,
        peakMiB: kib("VmHWM") / 1024,
        anonMiB: kib("RssAnon") / 1024,
        fileMiB: kib("RssFile") / 1024,
      };
    },
    logCounts: () => ({ ...counts }),
    output: (lines = 40) => `${kept}${partial}`.split("\n").slice(-lines).join("\n"),
    stop,
  };
}
