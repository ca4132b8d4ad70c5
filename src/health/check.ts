/**
 * Reads the HEALTH_FILE the bot writes (health-file.ts) and says in one line whether the bot is online:
 * the answer of `node dist/healthcheck.js`, which Docker shows in `docker inspect` and `docker compose ps`.
 */
import { readFileSync } from "node:fs";
import type { HealthState } from "./health-file.js";

export interface HealthVerdict {
  readonly healthy: boolean;
  readonly words: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function checkHealth(path: string | undefined): HealthVerdict {
  if (path === undefined) return { healthy: false, words: "HEALTH_FILE is not set: the bot writes no health file" };
  let state: HealthState;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as HealthState;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "not there (is the bot running?)" : (error as Error).message;
    return { healthy: false, words: `${path}: ${why}` };
  }
  if (typeof state.pid !== "number" || !isAlive(state.pid)) {
    return { healthy: false, words: `the bot that wrote ${path} (pid ${String(state.pid)}) is not running` };
  }
  if (state.online) return { healthy: true, words: `online as ${state.jid ?? "?"} since ${state.since}` };
  return { healthy: false, words: `offline since ${state.since}: ${state.problem ?? "no reason known"}` };
}
