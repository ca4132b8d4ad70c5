/** The processes this test process started that are still alive, read from /proc: to prove that nothing was left. */
import { readdirSync, readFileSync } from "node:fs";

export interface LiveProcess {
  pid: number;
  /** The kernel's name of its program (`redis-server`, `lua5.4`, …). */
  command: string;
}

/** pid, command, state and parent of a /proc/<pid>/stat line; undefined once the process is gone. */
function statOf(pid: number): { command: string; state: string; parent: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command is in parentheses and may itself contain spaces and parentheses: it ends at the last ")".
  const open = stat.indexOf("(");
  const close = stat.lastIndexOf(")");
  const [state = "", parent = ""] = stat.slice(close + 2).split(" ");
  return { command: stat.slice(open + 1, close), state, parent: Number(parent) };
}

/** Every live (not zombie) process descended from `root` (this process by default), children before grandchildren. */
export function liveDescendants(root = process.pid): LiveProcess[] {
  const children = new Map<number, { pid: number; command: string; state: string }[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = statOf(pid);
    if (stat === undefined) continue;
    const siblings = children.get(stat.parent) ?? [];
    siblings.push({ pid, command: stat.command, state: stat.state });
    children.set(stat.parent, siblings);
  }
  const found: LiveProcess[] = [];
  const queue = [root];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const child of children.get(parent) ?? []) {
      // A zombie has exited; only its exit status is left for the parent to collect.
      if (child.state !== "Z") found.push({ pid: child.pid, command: child.command });
      queue.push(child.pid);
    }
  }
  return found;
}
