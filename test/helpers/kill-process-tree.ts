/**
 * SIGKILL for a process a test started and everything it started. runMain (main-process.ts) starts `tsx`, which
 * runs the bot in a node process of its own: SIGKILL cannot be relayed, so killing `tsx` alone would leave the bot
 * running, still connected. Killing the whole tree is what a crash, the OOM killer or `docker kill` does.
 */
import { readFileSync } from "node:fs";
import { liveDescendants } from "./descendants.js";

/** Kills `pid` and its live descendants at once; resolves when none of them is alive any more. */
export async function killProcessTree(pid: number, ms = 10_000): Promise<void> {
  // Read before killing: once `tsx` is gone, its child is no longer found under it.
  const pids = [pid, ...liveDescendants(pid).map((each) => each.pid)];
  for (const each of pids) {
    try {
      process.kill(each, "SIGKILL");
    } catch {
      // gone already
    }
  }
  const deadline = Date.now() + ms;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`killProcessTree: still alive after ${ms} ms: ${pids.filter(alive)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A zombie (exited, its status not collected yet) holds no socket and runs nothing: it counts as gone. */
function alive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}
