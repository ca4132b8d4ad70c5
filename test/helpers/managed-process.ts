/** A spawned server process whose output is kept for error messages and which can be stopped and awaited. */
import { type ChildProcess, spawn } from "node:child_process";
import { onProcessExit } from "./exit-cleanup.js";

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  error?: Error;
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** The exit, once it has happened. */
  exit(): ProcessExit | undefined;
  /** The last `maxLines` lines of stdout and stderr, interleaved. */
  output(maxLines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

const MAX_KEPT_CHARS = 64 * 1024;

/** Spawns `command` (no shell, stdin closed) and tracks it until it exits. */
export function spawnManaged(command: string, args: readonly string[], cwd?: string): ManagedProcess {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let kept = "";
  const keep = (chunk: Buffer): void => {
    kept = (kept + chunk.toString("utf8")).slice(-MAX_KEPT_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  let exitInfo: ProcessExit | undefined;
  // No server may outlive the test worker, even if afterAll never runs.
  const unregister = onProcessExit(() => child.kill("SIGKILL"));
  const exited = new Promise<ProcessExit>((resolve) => {
    const done = (info: ProcessExit): void => {
      if (exitInfo !== undefined) return;
      exitInfo = info;
      unregister();
      resolve(info);
    };
    child.once("error", (error) => {
      // 'error' without a pid means the spawn itself failed; otherwise wait for 'exit'.
      if (child.pid === undefined) done({ code: null, signal: null, error });
    });
    child.once("exit", (code, signal) => done({ code, signal }));
  });

  return {
    child,
    pid: child.pid,
    exited,
    exit: () => exitInfo,
    output(maxLines = 40) {
      return kept.split("\n").slice(-maxLines).join("\n");
    },
    async stop(graceMs = 5000) {
      if (exitInfo !== undefined) return exitInfo;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Human-readable description of how a process ended. */
export function describeExit(exit: ProcessExit): string {
  if (exit.error !== undefined) return `failed to start: ${exit.error.message}`;
  return exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}
