/**
 * The instances phase of `npm run bench` (docs/benchmarks.md, "Several instances and Redis Sentinel or Cluster";
 * issue 24): `#invite` (XEP-0050 `urn:xmpp:invite#invite`, a contact invite) through 1, 2 and 3 bot instances, each
 * its own process (`node dist/main.js`, one account, resources bench-1 … bench-3) behind one Prosody, on each of
 * plain Redis, Sentinel and Cluster (bench-instances-stores.ts). 16 clients, each its own user and session, are spread
 * round robin over the instances' full JIDs (ad-hoc commands work at every instance's full JID, docs/instances.md),
 * each sending its next request when the last is answered (bench-instances-client.ts). Per combination: a warm-up,
 * then invites/s, p50/p95 and each process's CPU (in % of one core) over BENCH_INSTANCES_SECONDS.
 *
 * Then, behind Sentinel with three instances and the same load, `SENTINEL FAILOVER` and (separately) a SIGKILL of the
 * master: the time from the last success before to the first success after, and the clean "try again" answers
 * meanwhile (bench-instances-failover.ts). Any other answer fails the run.
 */

import { loadavg } from "node:os";
import type { BotBuild, BotProcess } from "./bench-bot.js";
import { cpuMeter } from "./bench-cpu.js";
import { BOT_USER, cpuLine, password, spawnInstance, watchComplaints } from "./bench-instances-bots.js";
import { connectLoadClient, type LoadClient, loadFor } from "./bench-instances-client.js";
import { type FailoverResult, measureFailover } from "./bench-instances-failover.js";
import { type StoreName, startStore } from "./bench-instances-stores.js";
import { BOT_HOST, startBenchProsody } from "./bench-prosody.js";

export interface InstancesSettings {
  /** Seconds of measured load per store and instance count. */
  seconds: number;
  /** Seconds of load before each measurement (a new instance's JIT warms up). */
  warmupSeconds: number;
  /** Clients in flight. */
  clients: number;
  maxInstances: number;
  /** Which set-ups run, in this order (an experiment may run one alone). */
  stores: readonly StoreName[];
  /** REDIS_SENTINEL_CONFIRM_REPLICAS for the bots behind Sentinel; the bot's default when undefined. */
  confirmReplicas: string | undefined;
}

export interface InstancesContext {
  settings: InstancesSettings;
  build: BotBuild;
  nodeFlags: readonly string[];
  log(text: string): void;
  defer(task: () => Promise<unknown>): void;
}

export interface Measurement {
  store: StoreName;
  layout: string;
  instances: number;
  count: number;
  refused: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  /** Process name → CPU time over the measurement, in % of one core. */
  cpu: Record<string, number>;
}

export interface InstancesResult {
  measurements: Measurement[];
  failovers: FailoverResult[];
  prosodyVersion: string;
  /** The machine's 1-minute load average at the phase's start and end (other work on it shows here). */
  load: [number, number];
  /** WARN/ERROR lines the bots logged during the throughput runs (the store's "try again" is an ERROR). */
  botComplaints: number;
}

export async function runInstancesBench(context: InstancesContext): Promise<InstancesResult> {
  const { settings, log, defer } = context;
  const loadBefore = loadavg()[0] ?? 0;
  log("instances: starting Prosody and registering the bot's account and the clients' …");
  const prosody = await startBenchProsody();
  defer(() => prosody.stop());
  const users = Array.from({ length: settings.clients }, (_, i) => `load${String(i + 1).padStart(2, "0")}`);
  const accounts = [BOT_USER, ...users];
  for (let i = 0; i < accounts.length; i += 4) {
    await Promise.all(accounts.slice(i, i + 4).map((user) => prosody.register(user, BOT_HOST, password(user))));
  }
  const clients: LoadClient[] = [];
  for (let i = 0; i < users.length; i += 4) {
    const batch = users.slice(i, i + 4);
    const connected = await Promise.all(
      batch.map((user) => connectLoadClient(prosody.service, BOT_HOST, user, password(user))),
    );
    for (const client of connected) defer(() => client.stop());
    clients.push(...connected);
  }

  const measurements: Measurement[] = [];
  const failovers: FailoverResult[] = [];
  let botComplaints = 0;
  for (const name of settings.stores) {
    log(`instances: starting ${name} …`);
    const store = await startStore(name, settings.confirmReplicas);
    defer(() => store.stop());
    const bots: BotProcess[] = [];
    const jids: string[] = [];
    const complaints = watchComplaints(bots);
    for (let n = 1; n <= settings.maxInstances; n += 1) {
      const resource = `bench-${n}`;
      const bot = await spawnInstance(context, prosody.service, store, resource);
      defer(() => bot.stop());
      bots.push(bot);
      jids.push(`${BOT_USER}@${BOT_HOST}/${resource}`);
      log(`instances: ${name}, ${n} instance(s): warm-up ${settings.warmupSeconds} s …`);
      await loadFor(clients, jids, settings.warmupSeconds);
      const pids: Record<string, number | "self"> = { prosody: prosody.pid, client: "self" };
      for (const [i, bot] of bots.entries()) pids[`bot ${i + 1}`] = bot.pid;
      Object.assign(pids, await store.processes());
      const meter = cpuMeter(pids);
      const before = meter.snapshot();
      const run = await loadFor(clients, jids, settings.seconds);
      const after = meter.snapshot();
      const cpu = Object.fromEntries(
        Object.keys(pids).map((key) => [key, (((after[key] ?? 0) - (before[key] ?? 0)) * 100) / run.seconds]),
      );
      const measurement: Measurement = {
        store: name,
        layout: store.layout,
        instances: n,
        count: run.outcomes.length - run.failed,
        refused: run.failed,
        seconds: run.seconds,
        perSecond: run.perSecond,
        p50: run.p50,
        p95: run.p95,
        cpu,
      };
      measurements.push(measurement);
      log(
        `instances: ${name} × ${n}: ${run.perSecond.toFixed(0)}/s, p50 ${run.p50.toFixed(1)} ms, p95 ${run.p95.toFixed(1)} ms` +
          `${run.failed > 0 ? `, ${run.failed} refused` : ""}; CPU ${cpuLine(cpu)}`,
      );
    }
    for (const bot of bots) {
      const counts = bot.logCounts();
      botComplaints += (counts.WARN ?? 0) + (counts.ERROR ?? 0);
    }
    if (complaints.lines.length > 0) log(`instances: ${name}: the bots complained:\n${complaints.lines.join("\n")}`);
    complaints.lines.length = 0;
    if (store.sentinel !== undefined && store.namedMaster !== undefined) {
      const { sentinel, namedMaster } = store;
      for (const [how, change] of [
        ["SENTINEL FAILOVER", () => sentinel.failover()],
        ["SIGKILL of the master", () => sentinel.killMaster()],
      ] as const) {
        log(`instances: Sentinel, ${bots.length} instances under load: ${how} …`);
        const result = await measureFailover(clients, jids, how, change, namedMaster);
        log(
          `instances: ${how}: ${result.outageMs.toFixed(0)} ms from the last success before to the first after; ` +
            `${result.refused} clean "try again"`,
        );
        failovers.push(result);
        log(`instances: what the bots logged meanwhile:\n${summarized(complaints.lines)}`);
        complaints.lines.length = 0;
      }
    }
    complaints.stop();
    for (const bot of bots) {
      const code = await bot.stop();
      if (code !== 0) throw new Error(`a bot exited with code ${String(code)} on SIGTERM:\n${bot.output()}`);
    }
    await store.stop();
  }
  const load: [number, number] = [loadBefore, loadavg()[0] ?? 0];
  return { measurements, failovers, prosodyVersion: await prosody.version(), botComplaints, load };
}

/** The bots' complaints, each kind once with its count (the time stamp and bot number left out). */
function summarized(lines: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const kind = line.replace(/^bot \d+: \S+\s+/u, "").replace(/ (from|holder|id)=\S+/gu, "");
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => `  ${String(count).padStart(4)} × ${kind}`).join("\n");
}
