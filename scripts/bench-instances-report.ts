/** The instances phase's report (scripts/bench-instances.ts): one row per store and instance count, then failovers. */
import { availableParallelism } from "node:os";
import type { InstancesResult, InstancesSettings, Measurement } from "./bench-instances.js";

const BOTS = /^bot \d+$/u;
const SERVERS = /^(redis|master|replica \d+|node with the host's slot|other node \d+)$/u;
const SENTINELS = /^sentinel \d+$/u;

/** CPU (% of one core) of one kind of process: each, joined by "+". */
function each(cpu: Record<string, number>, kind: RegExp): string {
  const values = Object.entries(cpu)
    .filter(([name]) => kind.test(name))
    .map(([, percent]) => percent.toFixed(0));
  return values.length === 0 ? "" : values.join("+");
}

function total(cpu: Record<string, number>): number {
  return Object.values(cpu).reduce((sum, percent) => sum + percent, 0);
}

function busiest(cpu: Record<string, number>): string {
  const [name, percent] = Object.entries(cpu).sort(([, a], [, b]) => b - a)[0] ?? ["none", 0];
  return `${name} ${percent.toFixed(0)}%`;
}

function row(m: Measurement): string[] {
  return [
    m.store,
    String(m.instances),
    m.perSecond.toFixed(0),
    `${m.p50.toFixed(1)} / ${m.p95.toFixed(1)}`,
    String(m.refused),
    String(m.cpu.prosody?.toFixed(0) ?? ""),
    each(m.cpu, BOTS),
    each(m.cpu, SERVERS),
    each(m.cpu, SENTINELS),
    String(m.cpu.client?.toFixed(0) ?? ""),
    `${total(m.cpu).toFixed(0)} of ${availableParallelism() * 100}`,
    busiest(m.cpu),
  ];
}

export function instancesReport(result: InstancesResult, settings: InstancesSettings): string {
  const header = [
    "store",
    "bots",
    "invites/s",
    "p50 / p95 ms",
    "try again",
    "Prosody",
    "bots",
    "Redis nodes",
    "Sentinels",
    "client",
    "all",
    "busiest",
  ];
  const rows = [header, ...result.measurements.map(row)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const layouts = [...new Map(result.measurements.map((m) => [m.store, m.layout])).entries()]
    .map(([store, layout]) => `${store}: ${layout}`)
    .join("; ");
  const failovers = result.failovers.map(
    (f) =>
      `  ${f.how.padEnd(22)} outage ${f.outageMs.toFixed(0).padStart(5)} ms (last success ${f.fromMs.toFixed(0)} ms, ` +
      `first after ${f.toMs.toFixed(0)} ms from the start; the first Sentinel named the new master at ` +
      `${f.switchedMs === undefined ? "?" : f.switchedMs.toFixed(0)} ms, all settled at ${f.settledMs.toFixed(0)} ms); ` +
      `${f.refused} clean "try again", ${f.succeeded} invites, slowest ${f.slowestMs.toFixed(0)} ms`,
  );
  return [
    "",
    `Several instances: #invite with ${settings.clients} clients in flight, round robin over the instances' full JIDs, ` +
      `${settings.seconds} s per row after ${settings.warmupSeconds} s of warm-up (Prosody ${result.prosodyVersion})`,
    `  ${layouts}`,
    `  ${availableParallelism()} CPUs; 1-minute load average ${result.load.map((l) => l.toFixed(2)).join(" at start, ")} at end`,
    "  CPU in % of one core over the row's run, per process (bots, Redis nodes and Sentinels each, joined by +)",
    "",
    ...rows.map((cells) => `  ${line(cells)}`),
    ...(result.botComplaints > 0
      ? ["", `  the bots logged ${result.botComplaints} warnings or errors during these runs (see above)`]
      : []),
    "",
    "Sentinel failover with the bots of the last Sentinel row under the same load (times from the change's start):",
    ...failovers,
  ].join("\n");
}
