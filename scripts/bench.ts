/**
 * `npm run bench`: invite creation through the bot (Redis) against Prosody's own mod_invites_adhoc
 * (default internal file storage), in one run, on one private Prosody with two VirtualHosts
 * (scripts/bench-prosody.ts), with one client implementation for both sides (scripts/bench-load.ts).
 *
 * Measures, per side: sequential latency (p50, p99) on an empty store and throughput with 16 requests
 * in flight; fills the store to 3,000 invites of that user; measures both again. Then the bot's resident
 * memory (VmRSS of its own process) and its time from spawn to `Online` (scripts/bench-bot.ts).
 * Prints a table, the ratios bot/native and PASS/MISS per target. Exit 0 when the run worked (a missed
 * target is a result, not an error), 1 when anything failed, 130 when interrupted.
 *
 * Knobs for a quick look (defaults are the documented run): BENCH_SEQUENTIAL (300), BENCH_THROUGHPUT (1000),
 * BENCH_FILL_TO (3000), BENCH_FILL_MAX_S (240, per side).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { createClient } from "@keyv/redis";
import { type RedisServer, startRedis } from "../test/helpers/redis-server.js";
import { findOnPath } from "../test/helpers/require-binary.js";
import { type BotBuild, type BotProcess, buildBot, spawnBot } from "./bench-bot.js";
import {
  closedLoop,
  connectInviteClient,
  type InviteClient,
  type LatencyResult,
  sequential,
  type ThroughputResult,
} from "./bench-load.js";
import { type BenchProsody, BOT_HOST, NATIVE_HOST, startBenchProsody } from "./bench-prosody.js";

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}

const SETTINGS = {
  warmup: 20,
  sequential: envInt("BENCH_SEQUENTIAL", 300),
  concurrency: 16,
  throughput: envInt("BENCH_THROUGHPUT", 1000),
  /** A throughput run also ends after this long (native gets slow with a big store). */
  throughputMaxSeconds: 30,
  fillTo: envInt("BENCH_FILL_TO", 3000),
  fillMaxSeconds: envInt("BENCH_FILL_MAX_S", 240),
} as const;

const TARGETS = { latencyRatio: 0.5, throughputRatio: 20, rssMB: 80 } as const;

const USER = "alice";
const BOT_USER = "invites";
const BOT_RESOURCE = "invites";
const password = (name: string): string => `${name}-bench-password`;

// ---------------------------------------------------------------------------------------------------------------
// Clean-up: newest first, once, also on Ctrl-C / SIGTERM.

const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const task of cleanups.reverse()) {
      await task().catch((error: unknown) => console.error(`clean-up: ${(error as Error).message}`));
    }
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the bot and the servers …`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const log = (text: string): void => {
  console.error(`[bench ${elapsed()}] ${text}`);
};
const runStarted = performance.now();
const elapsed = (): string => `${((performance.now() - runStarted) / 1000).toFixed(1).padStart(5)} s`;

// ---------------------------------------------------------------------------------------------------------------

interface SideResults {
  emptySeq: LatencyResult;
  emptySeqStore: number;
  emptyTput: ThroughputResult;
  emptyTputStore: number;
  fill: { count: number; seconds: number; capped: boolean };
  fullSeq: LatencyResult;
  fullSeqStore: number;
  fullTput: ThroughputResult;
  fullTputStore: number;
}

interface Side {
  name: string;
  client: InviteClient;
  /** Invites of USER in this side's store, counted in the store itself. */
  storeCount(): Promise<number>;
}

async function checkedStoreCount(side: Side): Promise<number> {
  const stored = await side.storeCount();
  if (stored !== side.client.created) {
    throw new Error(
      `${side.name}: the store holds ${stored} invites of ${USER}, but ${side.client.created} were created`,
    );
  }
  return stored;
}

async function main(): Promise<number> {
  const missing = ["prosody", "prosodyctl", "redis-server"].filter((name) => findOnPath(name) === undefined);
  if (missing.length > 0) {
    console.error(`npm run bench needs ${missing.join(", ")} on PATH. Install with:`);
    console.error("  sudo apt-get install -y prosody redis-server");
    return 1;
  }

  log("compiling the bot (tsc -p tsconfig.build.json) and starting Prosody + Redis on 127.0.0.1 …");
  const [build, prosody, redis] = await Promise.allSettled([buildBot(), startBenchProsody(), startRedis()]);
  if (build.status === "fulfilled") cleanups.push(() => build.value.remove());
  if (prosody.status === "fulfilled") cleanups.push(() => prosody.value.stop());
  if (redis.status === "fulfilled") cleanups.push(() => redis.value.stop());
  if (build.status === "rejected") throw build.reason;
  if (prosody.status === "rejected") throw prosody.reason;
  if (redis.status === "rejected") throw redis.reason;
  return run(build.value, prosody.value, redis.value);
}

async function run(build: BotBuild, prosody: BenchProsody, redis: RedisServer): Promise<number> {
  if (build.warnings !== "") log(`tsc reported problems but emitted JavaScript; benchmarking that:\n${build.warnings}`);
  log(`bot compiled in ${build.seconds.toFixed(1)} s; Prosody on ${prosody.service}, Redis on ${redis.url}`);

  await prosody.register(BOT_USER, BOT_HOST, password(BOT_USER));
  await prosody.register(USER, BOT_HOST, password(USER));
  await prosody.register(USER, NATIVE_HOST, password(USER));

  log("starting the bot (node dist/main.js in its own process) …");
  const bot: BotProcess = await spawnBot(build.main, {
    XMPP_SERVICE: prosody.service,
    XMPP_DOMAIN: BOT_HOST,
    XMPP_USERNAME: BOT_USER,
    XMPP_PASSWORD: password(BOT_USER),
    XMPP_RESOURCE: BOT_RESOURCE,
    REDIS_URL: redis.url,
    // The quota stays on (a Redis round trip per invite, as in production) but never bites.
    INVITE_QUOTA: "100000",
    // Flood control (a token bucket per requester) at its maximum, so that one user with 16 requests in
    // flight measures capacity rather than the limiter; Prosody's side has no limit either (no mod_limits).
    RATE_LIMIT_BURST: "10000",
    RATE_LIMIT_PER_SECOND: "10000",
    // Prosody's defaults, as on native.localhost: contact invites that do not register accounts.
    ALLOW_USER_INVITES: "false",
    ALLOW_CONTACT_INVITES: "true",
    LOG_LEVEL: "info",
  });
  cleanups.push(() => bot.stop());
  const memoryAtOnline = bot.memory();
  log(`bot online after ${bot.onlineMs.toFixed(0)} ms (pid ${bot.pid}, RSS ${memoryAtOnline.rssMiB.toFixed(1)} MiB)`);

  const raw = createClient({ url: redis.url });
  raw.on("error", () => {});
  await raw.connect();
  cleanups.push(async () => raw.destroy());

  const [botClient, nativeClient] = await Promise.all([
    connectInviteClient({
      service: prosody.service,
      domain: BOT_HOST,
      username: USER,
      password: password(USER),
      target: `${BOT_USER}@${BOT_HOST}/${BOT_RESOURCE}`,
    }),
    connectInviteClient({
      service: prosody.service,
      domain: NATIVE_HOST,
      username: USER,
      password: password(USER),
      target: NATIVE_HOST,
    }),
  ]);
  cleanups.push(
    () => botClient.stop(),
    () => nativeClient.stop(),
  );

  const sides: Side[] = [
    {
      name: "bot",
      client: botClient,
      async storeCount() {
        let count = 0;
        for await (const keys of raw.scanIterator({ MATCH: `invite:${BOT_HOST}:inviter:${USER}:*`, COUNT: 1000 })) {
          count += keys.length;
        }
        return count;
      },
    },
    {
      name: "native",
      client: nativeClient,
      async storeCount() {
        let text: string;
        try {
          text = readFileSync(prosody.storePath(USER, NATIVE_HOST, "invite_token"), "utf8");
        } catch {
          return 0; // no invite yet: Prosody has not created the file
        }
        // mod_storage_internal's map: return { ["TOKEN"] = EXPIRES; ... };
        return text.match(/\["[\w-]+"\]\s*=\s*\d+\s*;/gu)?.length ?? 0;
      },
    },
  ];

  const results = new Map<string, Partial<SideResults>>(sides.map((side) => [side.name, {}]));
  const resultOf = (side: Side): Partial<SideResults> => results.get(side.name) as Partial<SideResults>;

  for (const side of sides) {
    await checkedStoreCount(side);
    for (let i = 0; i < SETTINGS.warmup; i++) await side.client.createInvite();
  }

  const measure = async (phase: "empty" | "full"): Promise<void> => {
    for (const side of sides) {
      const store = await checkedStoreCount(side);
      log(`${side.name}: ${SETTINGS.sequential} sequential requests (${store} invites in the store) …`);
      const result = await sequential(side.client, SETTINGS.sequential);
      log(`${side.name}: p50 ${ms(result.p50)}, p99 ${ms(result.p99)}`);
      Object.assign(
        resultOf(side),
        phase === "empty" ? { emptySeq: result, emptySeqStore: store } : { fullSeq: result, fullSeqStore: store },
      );
    }
    for (const side of sides) {
      const store = await checkedStoreCount(side);
      log(
        `${side.name}: ${SETTINGS.throughput} requests, ${SETTINGS.concurrency} in flight, at most ${SETTINGS.throughputMaxSeconds} s (${store} invites in the store) …`,
      );
      const result = await closedLoop(side.client, {
        concurrency: SETTINGS.concurrency,
        count: SETTINGS.throughput,
        maxSeconds: SETTINGS.throughputMaxSeconds,
      });
      log(`${side.name}: ${result.count} in ${result.seconds.toFixed(2)} s = ${result.perSecond.toFixed(0)}/s`);
      Object.assign(
        resultOf(side),
        phase === "empty" ? { emptyTput: result, emptyTputStore: store } : { fullTput: result, fullTputStore: store },
      );
    }
  };

  await measure("empty");

  for (const side of sides) {
    const store = await checkedStoreCount(side);
    const missingInvites = Math.max(0, SETTINGS.fillTo - store);
    log(
      `${side.name}: filling the store from ${store} to ${SETTINGS.fillTo} invites (${SETTINGS.concurrency} in flight) …`,
    );
    const fill = await closedLoop(side.client, {
      concurrency: SETTINGS.concurrency,
      count: missingInvites,
      maxSeconds: SETTINGS.fillMaxSeconds,
      progress: (done, seconds) => log(`${side.name}: … ${store + done} invites after ${seconds.toFixed(0)} s`),
    });
    log(`${side.name}: ${fill.count} invites in ${fill.seconds.toFixed(1)} s${fill.capped ? " (time cap hit)" : ""}`);
    resultOf(side).fill = { count: fill.count, seconds: fill.seconds, capped: fill.capped };
  }

  await measure("full");

  const memory = bot.memory();
  const counts = bot.logCounts();
  for (const side of sides) await checkedStoreCount(side);
  const totals = sides.map((side) => `${side.name} ${side.client.created}`).join(", ");

  await botClient.stop();
  await nativeClient.stop();
  const exitCode = await bot.stop();
  if (exitCode !== 0) throw new Error(`the bot exited with code ${String(exitCode)} on SIGTERM:\n${bot.output()}`);
  if ((counts.WARN ?? 0) + (counts.ERROR ?? 0) > 0) {
    throw new Error(`the bot logged warnings or errors during the run:\n${bot.output()}`);
  }

  report({
    bot: results.get("bot") as SideResults,
    native: results.get("native") as SideResults,
    onlineMs: bot.onlineMs,
    memoryAtOnline,
    memory,
    totals,
    prosodyVersion: await prosody.version(),
  });
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

interface Report {
  bot: SideResults;
  native: SideResults;
  onlineMs: number;
  memoryAtOnline: { rssMiB: number; peakMiB: number };
  memory: { rssMiB: number; peakMiB: number };
  totals: string;
  prosodyVersion: string;
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const perSecond = (value: number): string => `${value.toFixed(0)}/s`;
const ratio = (value: number): string => `${value.toFixed(2)}×`;
const MIB = 1024 * 1024;

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).split("\n")[0]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

function report(r: Report): void {
  const { bot, native } = r;
  const rows: Array<[string, string, string, string]> = [
    ["", "bot (Redis)", "native (file)", "bot/native"],
    [`empty store: sequential, n=${bot.emptySeq.count}`, "", "", ""],
    ["  invites in store at start", String(bot.emptySeqStore), String(native.emptySeqStore), ""],
    ["  p50 latency", ms(bot.emptySeq.p50), ms(native.emptySeq.p50), ratio(bot.emptySeq.p50 / native.emptySeq.p50)],
    ["  p99 latency", ms(bot.emptySeq.p99), ms(native.emptySeq.p99), ratio(bot.emptySeq.p99 / native.emptySeq.p99)],
    [`empty store: ${SETTINGS.concurrency} in flight`, "", "", ""],
    ["  invites in store at start", String(bot.emptyTputStore), String(native.emptyTputStore), ""],
    ["  requests", String(bot.emptyTput.count), String(native.emptyTput.count), ""],
    [
      "  throughput",
      perSecond(bot.emptyTput.perSecond),
      perSecond(native.emptyTput.perSecond),
      ratio(bot.emptyTput.perSecond / native.emptyTput.perSecond),
    ],
    ["  p50 / p99 under load", pair(bot.emptyTput), pair(native.emptyTput), ""],
    [`fill to ${SETTINGS.fillTo} (${SETTINGS.concurrency} in flight)`, "", "", ""],
    ["  invites added", String(bot.fill.count), String(native.fill.count), ""],
    [
      "  time / rate",
      `${bot.fill.seconds.toFixed(1)} s, ${perSecond(bot.fill.count / bot.fill.seconds)}`,
      `${native.fill.seconds.toFixed(1)} s, ${perSecond(native.fill.count / native.fill.seconds)}`,
      "",
    ],
    [`after ${SETTINGS.fillTo}: sequential, n=${bot.fullSeq.count}`, "", "", ""],
    ["  invites in store at start", String(bot.fullSeqStore), String(native.fullSeqStore), ""],
    ["  p50 latency", ms(bot.fullSeq.p50), ms(native.fullSeq.p50), ratio(bot.fullSeq.p50 / native.fullSeq.p50)],
    ["  p99 latency", ms(bot.fullSeq.p99), ms(native.fullSeq.p99), ratio(bot.fullSeq.p99 / native.fullSeq.p99)],
    [`after ${SETTINGS.fillTo}: ${SETTINGS.concurrency} in flight`, "", "", ""],
    ["  invites in store at start", String(bot.fullTputStore), String(native.fullTputStore), ""],
    ["  requests", countNote(bot.fullTput), countNote(native.fullTput), ""],
    [
      "  throughput",
      perSecond(bot.fullTput.perSecond),
      perSecond(native.fullTput.perSecond),
      ratio(bot.fullTput.perSecond / native.fullTput.perSecond),
    ],
    ["  p50 / p99 under load", pair(bot.fullTput), pair(native.fullTput), ""],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("   ");

  const latencyRatio = bot.emptySeq.p50 / native.emptySeq.p50;
  const throughputRatio = bot.fullTput.perSecond / native.fullTput.perSecond;
  const rssMB = (r.memory.rssMiB * MIB) / 1e6;
  const verdict = (ok: boolean): string => (ok ? "PASS" : "MISS");
  const fillNote = native.fill.capped || bot.fill.capped ? "  (a fill hit its time cap: see 'invites added')" : "";

  const out = [
    "",
    "Invite creation: the bot (Redis) against Prosody's mod_invites_adhoc (internal storage)",
    `machine: ${availableParallelism()} CPUs, ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`,
    `versions: Prosody ${r.prosodyVersion}; ${firstLine("redis-server", ["--version"])}; Node ${process.version}`,
    `client: @xmpp/client, one session per side (${USER}@${BOT_HOST} → ${BOT_USER}@${BOT_HOST}/${BOT_RESOURCE}, ${USER}@${NATIVE_HOST} → ${NATIVE_HOST})`,
    "",
    ...rows.map(line),
    "",
    `bot process: online ${r.onlineMs.toFixed(0)} ms after spawn; RSS at online ${r.memoryAtOnline.rssMiB.toFixed(1)} MiB, after the run ${r.memory.rssMiB.toFixed(1)} MiB = ${rssMB.toFixed(1)} MB (peak ${r.memory.peakMiB.toFixed(1)} MiB)`,
    `invites created: ${r.totals}${fillNote}`,
    "",
    "targets",
    `  bot p50 ≤ ${TARGETS.latencyRatio}× native, empty store:     ${ratio(latencyRatio).padStart(8)}   ${verdict(latencyRatio <= TARGETS.latencyRatio)}`,
    `  bot throughput ≥ ${TARGETS.throughputRatio}× native, after ${SETTINGS.fillTo}: ${ratio(throughputRatio).padStart(8)}   ${verdict(throughputRatio >= TARGETS.throughputRatio)}`,
    `  bot RSS ≤ ${TARGETS.rssMB} MB:                           ${`${rssMB.toFixed(1)} MB`.padStart(8)}   ${verdict(rssMB <= TARGETS.rssMB)}`,
    `run time: ${elapsed().trim()}`,
    "",
  ];
  console.log(out.join("\n"));
}

function pair(result: ThroughputResult): string {
  return `${result.p50.toFixed(1)} / ${result.p99.toFixed(1)} ms`;
}

function countNote(result: ThroughputResult): string {
  return result.capped ? `${result.count} (${SETTINGS.throughputMaxSeconds} s cap)` : String(result.count);
}

// ---------------------------------------------------------------------------------------------------------------

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  code = 1;
}
await cleanUp();
process.exit(code);
