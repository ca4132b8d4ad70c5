/**
 * The real entry point (src/main.ts) as a child process, as an admin runs it: exactly the environment given (no
 * .env: it runs in `cwd`), its output kept, and a HEALTH_FILE of its own, so a test waits for the bot to be online
 * the way Docker's healthcheck does (src/health/check.ts), on the file's changes rather than on a log line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { watch } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkHealth } from "../../src/health/check.js";
import { killProcessTree } from "./kill-process-tree.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const MAIN = join(ROOT, "src", "main.ts");

export interface MainRun {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  readonly exited: Promise<number | null>;
  /** Resolves once the health file says online; rejects after `ms`, or when the process exits first. */
  online(ms?: number): Promise<void>;
  /**
   * SIGKILL for `tsx` and the bot it runs (kill-process-tree.ts: `child.kill` alone would leave the bot running);
   * resolves when both are gone. For cleanup after a test, passed or not.
   */
  kill(): Promise<void>;
}

let runs = 0;

/** `cwd` must be a directory of the test's own: the health file goes there too. */
export function runMain(cwd: string, env: Record<string, string>): MainRun {
  const healthFile = join(cwd, `health-${process.pid}-${++runs}.json`);
  const child = spawn(TSX, [MAIN], {
    cwd,
    // Tests run several bots at once: the ops listener only where a test asks for it (OPS_LISTEN in `env`).
    env: { PATH: process.env.PATH ?? "", HEALTH_FILE: healthFile, OPS_LISTEN: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    online: (ms = 15_000) => healthy(healthFile, cwd, exited, ms, () => output),
    kill: async () => {
      if (child.pid !== undefined) await killProcessTree(child.pid).catch(() => {});
    },
  };
}

/** The health file is written by rename (src/health/health-file.ts): each write is a change in its directory. */
function healthy(
  file: string,
  directory: string,
  exited: Promise<number | null>,
  ms: number,
  output: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(directory);
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher.close();
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = () => {
      if (checkHealth(file).healthy) finish();
    };
    const timer = setTimeout(
      () => finish(new Error(`not online within ${ms} ms: ${checkHealth(file).words}\n${output()}`)),
      ms,
    );
    watcher.on("change", check);
    void exited.then((code) => finish(new Error(`exited (${code}) before it was online:\n${output()}`)));
    check();
  });
}
