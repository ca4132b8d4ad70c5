/**
 * CPU time per process, to see where a phase's time goes: /proc/<pid>/stat (utime + stime, clock ticks)
 * for the servers and the bot, process.cpuUsage() for this process (the load-generating client).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) that process `pid` has used so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Field 2 (comm) is in parentheses and may contain spaces; fields 14 and 15 are utime and stime.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / clockTicks();
}

export type CpuSnapshot = Record<string, number>;

/** Takes CPU snapshots of named processes (`self` = this process). */
export function cpuMeter(pids: Record<string, number | "self">): {
  snapshot(): CpuSnapshot;
  /** CPU milliseconds per operation for each process between two snapshots. */
  perOperation(before: CpuSnapshot, after: CpuSnapshot, operations: number): CpuSnapshot;
} {
  return {
    snapshot() {
      const snapshot: CpuSnapshot = {};
      for (const [name, pid] of Object.entries(pids)) {
        if (pid === "self") {
          const usage = process.cpuUsage();
          snapshot[name] = (usage.user + usage.system) / 1e6;
        } else {
          snapshot[name] = processCpuSeconds(pid);
        }
      }
      return snapshot;
    },
    perOperation(before, after, operations) {
      const result: CpuSnapshot = {};
      for (const name of Object.keys(pids)) {
        result[name] = (((after[name] ?? 0) - (before[name] ?? 0)) * 1000) / Math.max(1, operations);
      }
      return result;
    },
  };
}
