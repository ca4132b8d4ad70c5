/**
 * `npm run bench`: invite creation through the bot (Redis) against Prosody's own mod_invites_adhoc
 * (default internal file storage), in one run, on one private Prosody with two VirtualHosts
 * (scripts/bench-prosody.ts), with one client implementation for both sides (scripts/bench-load.ts).
 * docs/benchmarks.md explains the method and the results.
 *
 * Per side: a warm-up by another user (so the measured user's store starts empty), sequential latency
 * (p50, p99) on an empty store, throughput with 16 requests in flight; a fill to 3,000 invites of the
 * measured user; both measurements again. Then the bot's resident memory (VmRSS of its own process) and its
 * time from spawn to `Online` (scripts/bench-bot.ts), and the CPU time each process spent per invite.
 * Prints a table, the ratios bot/native and PASS/MISS per target. Exit 0 when the run worked (a missed target
 * is a result, not an error), 1 when anything failed, 130 when interrupted.
 *
 * Then the list phase (scripts/bench-lists.ts): a user's own list and an admin's first page through the bot,
 * with an empty store and with 1,000,000 other users' invites seeded into Redis, and the store call alone.
 *
 * Knobs, for a quicker look or an experiment (the defaults are the documented run): BENCH_PHASES
 * ("invites,lists"), BENCH_LIST_SEED (1000000), BENCH_LIST_INVITERS (100000), BENCH_LIST_ROUNDS (200),
 * BENCH_PROSODY_NAGLE ("on", Prosody's default; "off" sets TCP_NODELAY on its sockets), BENCH_SEQUENTIAL (300),
 * BENCH_THROUGHPUT (1000), BENCH_FILL_TO (3000), BENCH_FILL_MAX_S (240 per side), BENCH_WARMUP (500),
 * BENCH_BOT_NODE_FLAGS (the bot's `node` flags; default those of `npm start`: "--max-semi-space-size=1 --max-old-space-size=64"),
 * BENCH_STALL_SECONDS (10 per stall scenario), BENCH_STALL_MODULE_DIR (another copy of prosody/ to measure),
 * BENCH_WEB_SECONDS (10), BENCH_WEB_REGISTRATIONS (50), BENCH_BUTTONS_ROUNDS (300),
 * BENCH_SERVERS_REGISTRATIONS (50; the servers phase needs ejabberd), BENCH_CIRCLES_SIZES ("1,100,1000"),
 * BENCH_CIRCLES_JOINS (3 per size), BENCH_CIRCLES_SAMPLE (20 members online), BENCH_CIRCLES_PING_MS (10),
 * BENCH_CIRCLES_LOG ("info"; "debug" for Prosody's debug log), BENCH_CIRCLES_PROFILE (1: time the join's calls in Prosody),
 * BENCH_INSTANCES_SECONDS (8 per store and instance count), BENCH_INSTANCES_WARMUP_SECONDS (2),
 * BENCH_INSTANCES_STORES ("Redis,Sentinel,Cluster"), BENCH_INSTANCES_CONFIRM_REPLICAS (the bots' REDIS_SENTINEL_CONFIRM_REPLICAS; unset: their default).
 *
 * Then the stall phase (scripts/bench-stall.ts): another user's ping round trip on a Prosody whose Redis hangs
 * or is far away while clients keep asking for invite checks.
 *
 * Then the hostile phase (scripts/bench-hostile.ts): BENCH_HOSTILE_CONNECTIONS (12000) slow POSTs against the bot's
 * web pages for BENCH_HOSTILE_SECONDS (40), its memory and its XMPP answers meanwhile. It needs that many open
 * files: Node raises its soft limit (`ulimit -n`) to the hard one as it starts, so the hard limit must allow it.
 *
 * Last, the circles phase (scripts/bench-circles.ts): a newcomer registering with an invite to a circle of 1, 100 and
 * 1,000 members; the time until every roster is updated, and another user's ping meanwhile.
 *
 * Then the policy phase (scripts/bench-policy.ts): the users' invite policy's Redis script against a full invite tree
 * of BENCH_POLICY_SIZES ("10,100,1000") budgets, BENCH_POLICY_ROUNDS (300) calls each.
 *
 * (Between the servers and the hostile phase, the instances phase, scripts/bench-instances.ts: #invite through 1, 2
 * and 3 bot instances on plain Redis, Sentinel and Cluster, and a Sentinel failover under load; it needs
 * redis-sentinel and redis-cli.)
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createClient } from "@keyv/redis";
import { byInviterKey } from "../src/storage/keys.js";
import { freePort } from "../test/helpers/ports.js";
import { type RedisServer, redisProcessId, startRedis } from "../test/helpers/redis-server.js";
import { findOnPath } from "../test/helpers/require-binary.js";
import { type BotBuild, type BotMemory, type BotProcess, buildBot, spawnBot, UNLIMITED_BOT_ENV } from "./bench-bot.js";
import { buttonsReport, runButtonsBench } from "./bench-buttons.js";
import { type CirclesSettings, circlesReport, runCirclesBench } from "./bench-circles.js";
import { type CpuSnapshot, cpuMeter } from "./bench-cpu.js";
import { FLOOR_RESOURCE, FLOOR_USER, startFloor } from "./bench-floor.js";
import {
  type HostileSettings,
  hostileReport,
  openFilesLimit,
  openFilesNeeded,
  runHostileBench,
} from "./bench-hostile.js";
import { type InstancesSettings, runInstancesBench } from "./bench-instances.js";
import { instancesReport } from "./bench-instances-report.js";
import { STORE_NAMES, type StoreName } from "./bench-instances-stores.js";
import { type ListSettings, listReport, runListBench } from "./bench-lists.js";
import {
  closedLoop,
  connectInviteClient,
  type InviteClient,
  type LatencyResult,
  roundsOf,
  sequentialEach,
  type ThroughputResult,
} from "./bench-load.js";
import { type NoticesSettings, noticesReport, runNoticesBench } from "./bench-notices.js";
import { type PolicySettings, policyReport, runPolicyBench } from "./bench-policy.js";
import { type BenchProsody, BOT_HOST, NATIVE_HOST, startBenchProsody } from "./bench-prosody.js";
import { roundTripsPer } from "./bench-round-trips.js";
import { runServersBench, serversReport } from "./bench-servers.js";
import { runSoakBench, type SoakSettings, soakReport } from "./bench-soak.js";
import { runStallBench, type StallSettings, stallReport } from "./bench-stall.js";
import { runWebBench, type WebSettings, webReport } from "./bench-web.js";

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}

function sizesOf(name: string, raw: string): number[] {
  return raw.split(",").map((part) => {
    const value = Number(part.trim());
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must list positive whole numbers`);
    return value;
  });
}

function instanceStores(raw: string): StoreName[] {
  return raw.split(",").map((part) => {
    const name = STORE_NAMES.find((store) => store.toLowerCase() === part.trim().toLowerCase());
    if (name === undefined) throw new Error(`BENCH_INSTANCES_STORES must list some of ${STORE_NAMES.join(", ")}`);
    return name;
  });
}

const botNodeFlags = (process.env.BENCH_BOT_NODE_FLAGS ?? "--max-semi-space-size=1 --max-old-space-size=64")
  .split(/\s+/u)
  .filter((flag) => flag !== "");

/** Every part, in the order of a full run; BENCH_PHASES picks some. */
const PHASES: readonly string[] = [
  "invites",
  "lists",
  "stall",
  "web",
  "buttons",
  "servers",
  "instances",
  "hostile",
  "circles",
  "policy",
  "notices",
  "soak",
];

const SETTINGS = {
  /** Sequential requests by the warm-up user right after start, reported as "cold". */
  cold: 20,
  /** Then this many more by the warm-up user, 16 in flight: the bot's JIT warms up, the measured store stays empty. */
  warmup: envInt("BENCH_WARMUP", 500),
  sequential: envInt("BENCH_SEQUENTIAL", 300),
  concurrency: 16,
  throughput: envInt("BENCH_THROUGHPUT", 1000),
  /** A throughput run also ends after this long (native gets slow with a big store). */
  throughputMaxSeconds: 30,
  fillTo: envInt("BENCH_FILL_TO", 3000),
  fillMaxSeconds: envInt("BENCH_FILL_MAX_S", 240),
  botNodeFlags,
  /**
   * Which parts run: "invites" (the comparison with Prosody's command), "lists" (scripts/bench-lists.ts),
   * "stall" (Prosody with a slow or hanging Redis, scripts/bench-stall.ts), "web" (the invite pages against
   * Prosody's mod_invites_page, scripts/bench-web.ts), "buttons" (#invite forwarded by the server, direct, and
   * Prosody's own, scripts/bench-buttons.ts), "hostile" (slow clients against the web pages,
   * scripts/bench-hostile.ts), "circles" (a newcomer joining a circle of 1, 100 and 1,000 members,
   * scripts/bench-circles.ts), "instances" (1, 2 and 3 bot instances on plain Redis, Sentinel and Cluster, and a
   * Sentinel failover under load, scripts/bench-instances.ts), "policy" (the users' invite policy against a full
   * invite tree, scripts/bench-policy.ts).
   */
  phases: new Set(
    (process.env.BENCH_PHASES ?? PHASES.join(",")).split(",").map((phase) => {
      const name = phase.trim();
      if (!PHASES.includes(name)) throw new Error(`BENCH_PHASES: unknown phase "${name}" (${PHASES.join(", ")})`);
      return name;
    }),
  ),
  buttonsRounds: envInt("BENCH_BUTTONS_ROUNDS", 300),
  instances: {
    seconds: envInt("BENCH_INSTANCES_SECONDS", 8),
    warmupSeconds: envInt("BENCH_INSTANCES_WARMUP_SECONDS", 2),
    clients: 16,
    maxInstances: 3,
    stores: instanceStores(process.env.BENCH_INSTANCES_STORES ?? STORE_NAMES.join(",")),
    confirmReplicas: process.env.BENCH_INSTANCES_CONFIRM_REPLICAS || undefined,
  } satisfies InstancesSettings,
  serversRegistrations: envInt("BENCH_SERVERS_REGISTRATIONS", 50),
  hostile: {
    connections: envInt("BENCH_HOSTILE_CONNECTIONS", 12_000),
    seconds: envInt("BENCH_HOSTILE_SECONDS", 40),
    uncapped: process.env.BENCH_HOSTILE_UNCAPPED === "1",
  } satisfies HostileSettings,
  web: {
    seconds: envInt("BENCH_WEB_SECONDS", 10),
    registrations: envInt("BENCH_WEB_REGISTRATIONS", 50),
  } satisfies WebSettings,
  lists: {
    seed: envInt("BENCH_LIST_SEED", 1_000_000),
    inviters: envInt("BENCH_LIST_INVITERS", 100_000),
    own: 5,
    rounds: envInt("BENCH_LIST_ROUNDS", 200),
    warmupRounds: 100,
    botNodeFlags,
  } satisfies ListSettings,
  stall: {
    seconds: envInt("BENCH_STALL_SECONDS", 10),
    moduleDir: process.env.BENCH_STALL_MODULE_DIR || undefined,
  } satisfies StallSettings,
  circles: {
    sizes: sizesOf("BENCH_CIRCLES_SIZES", process.env.BENCH_CIRCLES_SIZES ?? "1,100,1000"),
    joins: envInt("BENCH_CIRCLES_JOINS", 3),
    sample: envInt("BENCH_CIRCLES_SAMPLE", 20),
    pingEveryMs: envInt("BENCH_CIRCLES_PING_MS", 10),
    logLevel: process.env.BENCH_CIRCLES_LOG === "debug" ? "debug" : "info",
    profile: process.env.BENCH_CIRCLES_PROFILE === "1",
  } satisfies CirclesSettings,
  soak: {
    seconds: envInt("BENCH_SOAK_S", 600),
    rate: envInt("BENCH_SOAK_RATE", 50),
  } satisfies SoakSettings,
  notices: {
    uses: envInt("BENCH_NOTICES_USES", 10_000),
    inviters: envInt("BENCH_NOTICES_INVITERS", 1_000),
  } satisfies NoticesSettings,
  policy: {
    sizes: sizesOf("BENCH_POLICY_SIZES", process.env.BENCH_POLICY_SIZES ?? "10,100,1000"),
    rounds: envInt("BENCH_POLICY_ROUNDS", 300),
  } satisfies PolicySettings,
} as const;

/** Debian's prosody-modules puts the community modules next to Prosody's own. */
const INVITES_PAGE_MODULE = "/usr/lib/prosody/modules/mod_invites_page/mod_invites_page.lua";

/**
 * Issue 1's targets against Prosody's own command, and issue 26's against the floor (a bare responder on the same
 * server, measured by the same client in the same run) and for the bot's start and memory.
 */
const TARGETS = {
  latencyRatio: 0.5,
  throughputRatio: 20,
  floorLatencyRatio: 1.3,
  floorThroughputRatio: 0.8,
  roundTrips: 1,
  onlineMs: 500,
  rssMB: 80,
} as const;

const USER = "alice";
const WARMUP_USER = "warmup";
const BOT_USER = "invites";
const BOT_RESOURCE = "invites";
const password = (name: string): string => `${name}-bench-password`;
/** The bot's INVITE_SIGNING_KEY (at least 32 characters): 32 random bytes, new for every run. */
const BENCH_SIGNING_KEY = randomBytes(32).toString("base64url");

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

const runStarted = performance.now();
const elapsed = (): string => `${((performance.now() - runStarted) / 1000).toFixed(1).padStart(5)} s`;
const log = (text: string): void => {
  console.error(`[bench ${elapsed()}] ${text}`);
};

// ---------------------------------------------------------------------------------------------------------------

interface Throughput extends ThroughputResult {
  /** Invites of the measured user in the store when the phase started. */
  store: number;
  /** CPU milliseconds per invite of each process during the phase. */
  cpu: CpuSnapshot;
}

interface Sequential extends LatencyResult {
  store: number;
}

/** The floor's figures: the same requests, without the fill (it stores nothing). */
interface FloorResults {
  cold: LatencyResult;
  emptySeq: Sequential;
  emptyTput: Throughput;
  fullSeq: Sequential;
  fullTput: Throughput;
  memory: BotMemory;
}

interface SideResults {
  cold: LatencyResult;
  emptySeq: Sequential;
  emptyTput: Throughput;
  fill: Throughput;
  fullSeq: Sequential;
  fullTput: Throughput;
}

interface Side {
  name: "bot" | "native" | "floor";
  client: InviteClient;
  warmup: InviteClient;
  /** Invites of USER in this side's store, counted in the store itself; none for the floor, which stores nothing. */
  storeCount?(): Promise<number>;
}

async function checkedStoreCount(side: Side): Promise<number> {
  if (side.storeCount === undefined) return 0;
  const stored = await side.storeCount();
  if (stored !== side.client.created) {
    throw new Error(
      `${side.name}: the store holds ${stored} invites of ${USER}, but ${side.client.created} were created`,
    );
  }
  return stored;
}

async function main(): Promise<number> {
  const needed = [
    "prosody",
    "prosodyctl",
    "redis-server",
    ...(SETTINGS.phases.has("lists") || SETTINGS.phases.has("instances") ? ["redis-cli"] : []),
    ...(SETTINGS.phases.has("instances") ? ["redis-sentinel"] : []),
  ];
  const missing = needed.filter((name) => findOnPath(name) === undefined);
  if (missing.length > 0) {
    console.error(`npm run bench needs ${missing.join(", ")} on PATH. Install them with:`);
    console.error("  sudo apt-get install -y prosody redis-server prosody-modules");
    return 1;
  }
  if (SETTINGS.phases.has("web") && !existsSync(INVITES_PAGE_MODULE)) {
    console.error(`The web phase compares with Prosody's mod_invites_page (${INVITES_PAGE_MODULE}). Install it with:`);
    console.error("  sudo apt-get install -y prosody-modules");
    return 1;
  }

  if (SETTINGS.phases.has("hostile")) {
    // Node has already raised its soft limit to the hard one (src/node.cc, at start-up).
    const { soft, hard } = openFilesLimit();
    const needed = openFilesNeeded(SETTINGS.hostile);
    if (soft < needed) {
      console.error(
        `The hostile phase needs ${needed} open files; this process may have ${soft} (hard limit ${hard}).`,
      );
      console.error(`Raise the hard limit (as root: ulimit -Hn ${needed}, or LimitNOFILE= for a service), or run`);
      console.error("  BENCH_HOSTILE_CONNECTIONS=<fewer> npm run bench");
      return 1;
    }
  }
  if (SETTINGS.phases.has("invites") || SETTINGS.phases.has("lists")) await runBotPhases();
  const builds = ["web", "buttons", "servers", "instances", "hostile", "notices", "soak"].some((phase) =>
    SETTINGS.phases.has(phase),
  );
  if (builds) {
    log("compiling the bot (tsc -p tsconfig.build.json) for the web and buttons phases …");
    const build = await buildBot();
    cleanups.push(() => build.remove());
    const context = {
      build,
      nodeFlags: SETTINGS.botNodeFlags,
      log,
      defer: (task: () => Promise<unknown>) => cleanups.push(task),
    };
    if (SETTINGS.phases.has("web")) {
      console.log(webReport(await runWebBench({ ...context, settings: SETTINGS.web })));
      console.log(`run time: ${elapsed().trim()}`);
    }
    if (SETTINGS.phases.has("buttons")) {
      console.log(buttonsReport(await runButtonsBench({ ...context, rounds: SETTINGS.buttonsRounds })));
      console.log(`run time: ${elapsed().trim()}`);
    }
    if (SETTINGS.phases.has("servers")) {
      const servers = await runServersBench({ ...context, registrations: SETTINGS.serversRegistrations });
      console.log(serversReport(servers));
      console.log(`run time: ${elapsed().trim()}`);
    }
    if (SETTINGS.phases.has("instances")) {
      const settings = SETTINGS.instances;
      console.log(instancesReport(await runInstancesBench({ ...context, settings }), settings));
      console.log(`run time: ${elapsed().trim()}`);
    }
    if (SETTINGS.phases.has("notices")) {
      console.log(noticesReport(await runNoticesBench({ ...context, settings: SETTINGS.notices })));
      console.log(`run time: ${elapsed().trim()}`);
    }
    if (SETTINGS.phases.has("soak")) {
      console.log(soakReport(await runSoakBench({ ...context, settings: SETTINGS.soak })));
      console.log(`run time: ${elapsed().trim()}`);
    }
    if (SETTINGS.phases.has("hostile")) {
      console.log(hostileReport(await runHostileBench({ ...context, settings: SETTINGS.hostile })));
      console.log(`run time: ${elapsed().trim()}`);
    }
  }
  if (SETTINGS.phases.has("stall")) {
    const stall = await runStallBench({ settings: SETTINGS.stall, log, defer: (task) => cleanups.push(task) });
    console.log(stallReport(stall));
    console.log(`run time: ${elapsed().trim()}`);
  }
  if (SETTINGS.phases.has("circles")) {
    const circles = await runCirclesBench({
      settings: SETTINGS.circles,
      log,
      defer: (task) => cleanups.push(task),
    });
    console.log(circlesReport(circles));
    console.log(`run time: ${elapsed().trim()}`);
  }
  if (SETTINGS.phases.has("policy")) {
    console.log(policyReport(await runPolicyBench({ settings: SETTINGS.policy, log })));
    console.log(`run time: ${elapsed().trim()}`);
  }
  return 0;
}

/** The invite and list phases: the bot against Prosody's own command, on the bench's Prosody. */
async function runBotPhases(): Promise<void> {
  log("compiling the bot (tsc -p tsconfig.build.json) and starting Prosody + Redis on 127.0.0.1 …");
  const [build, prosody, redis] = await Promise.allSettled([buildBot(), startBenchProsody(), startRedis()]);
  if (build.status === "fulfilled") cleanups.push(() => build.value.remove());
  if (prosody.status === "fulfilled") cleanups.push(() => prosody.value.stop());
  if (redis.status === "fulfilled") cleanups.push(() => redis.value.stop());
  if (build.status === "rejected") throw build.reason;
  if (prosody.status === "rejected") throw prosody.reason;
  if (redis.status === "rejected") throw redis.reason;
  if (SETTINGS.phases.has("invites")) await run(build.value, prosody.value, redis.value);
  if (SETTINGS.phases.has("lists")) {
    const lists = await runListBench({
      build: build.value,
      prosody: prosody.value,
      settings: SETTINGS.lists,
      log,
      defer: (task) => cleanups.push(task),
    });
    console.log(listReport(lists));
    console.log(`run time: ${elapsed().trim()}`);
  }
}

async function run(build: BotBuild, prosody: BenchProsody, redis: RedisServer): Promise<void> {
  if (build.warnings !== "") log(`tsc reported problems but emitted JavaScript; benchmarking that:\n${build.warnings}`);
  log(`bot compiled in ${build.seconds.toFixed(1)} s; Prosody on ${prosody.service}, Redis on ${redis.url}`);
  const loadBefore = loadavg();

  await prosody.register(BOT_USER, BOT_HOST, password(BOT_USER));
  await prosody.register(FLOOR_USER, BOT_HOST, password(FLOOR_USER));
  for (const host of [BOT_HOST, NATIVE_HOST]) {
    for (const user of [USER, WARMUP_USER]) await prosody.register(user, host, password(user));
  }

  const flags = SETTINGS.botNodeFlags.length > 0 ? ` ${SETTINGS.botNodeFlags.join(" ")}` : "";
  // The web server on, as deployed with invite pages: its memory counts in the bot's.
  const webPort = await freePort();
  log(`starting the bot (node${flags} dist/main.js, in its own process, web pages on port ${webPort}) …`);
  // Node's compile cache, empty now: the first start compiles everything; the restart after the run reads what it
  // wrote, as a container's first start reads what the image's build wrote (Dockerfile).
  const compileCache = await mkdtemp(join(tmpdir(), "invite-bot-compile-cache-"));
  cleanups.push(() => rm(compileCache, { recursive: true, force: true }));
  const botEnv = {
    NODE_COMPILE_CACHE: compileCache,
    XMPP_SERVICE: prosody.service,
    // This server has no registration hook of ours; the bot need not find out (docs/servers.md).
    REGISTRATION: "server",
    XMPP_DOMAIN: BOT_HOST,
    XMPP_USERNAME: BOT_USER,
    XMPP_PASSWORD: password(BOT_USER),
    XMPP_RESOURCE: BOT_RESOURCE,
    REDIS_URL: redis.url,
    // Prosody's side has no limit either (no mod_limits).
    ...UNLIMITED_BOT_ENV,
    // Prosody's defaults, as on native.localhost: contact invites that do not register accounts.
    ALLOW_USER_INVITES: "false",
    ALLOW_CONTACT_INVITES: "true",
    LOG_LEVEL: "info",
    // Layout v2 signs every record (docs/storage.md); a fresh key per run.
    INVITE_SIGNING_KEY: BENCH_SIGNING_KEY,
    WEB_LISTEN: `127.0.0.1:${webPort}`,
    WEB_URL: `http://127.0.0.1:${webPort}`,
  };
  const bot: BotProcess = await spawnBot(build.main, botEnv, 30_000, SETTINGS.botNodeFlags);
  cleanups.push(() => bot.stop());
  const memoryAtOnline = bot.memory();
  log(`bot online after ${bot.onlineMs.toFixed(0)} ms (pid ${bot.pid}, RSS ${memoryAtOnline.rssMiB.toFixed(1)} MiB)`);
  log("starting the floor (scripts/bench-floor-responder.ts: a bare @xmpp/client responder, a fixed answer) …");
  const floor = await startFloor(
    prosody.service,
    BOT_HOST,
    password(FLOOR_USER),
    SETTINGS.botNodeFlags,
    `http://127.0.0.1:${webPort}`,
  );
  cleanups.push(() => floor.stop());

  const redisPid = await redisProcessId(redis.port);
  if (redisPid === undefined) throw new Error("could not read redis-server's process id");
  const cpu = cpuMeter({ prosody: prosody.pid, bot: bot.pid, redis: redisPid, floor: floor.pid, client: "self" });

  const raw = createClient({ url: redis.url });
  raw.on("error", () => {});
  await raw.connect();
  cleanups.push(async () => raw.destroy());

  const connect = async (username: string, host: string, target: string, resource?: string): Promise<InviteClient> => {
    const client = await connectInviteClient({
      service: prosody.service,
      domain: host,
      username,
      password: password(username),
      target,
      ...(resource === undefined ? {} : { resource }),
    });
    cleanups.push(() => client.stop());
    return client;
  };
  const botTarget = `${BOT_USER}@${BOT_HOST}/${BOT_RESOURCE}`;
  const floorTarget = `${FLOOR_USER}@${BOT_HOST}/${FLOOR_RESOURCE}`;
  const [botClient, botWarmup, nativeClient, nativeWarmup, floorClient, floorWarmup] = await Promise.all([
    connect(USER, BOT_HOST, botTarget),
    connect(WARMUP_USER, BOT_HOST, botTarget),
    connect(USER, NATIVE_HOST, NATIVE_HOST),
    connect(WARMUP_USER, NATIVE_HOST, NATIVE_HOST),
    // The same users as the bot's, in sessions of their own.
    connect(USER, BOT_HOST, floorTarget, "bench-floor"),
    connect(WARMUP_USER, BOT_HOST, floorTarget, "bench-floor"),
  ]);

  const sides: Side[] = [
    {
      name: "bot",
      client: botClient,
      warmup: botWarmup,
      async storeCount() {
        // Layout v2: the inviter's index (docs/storage.md); nothing expires during a run.
        return raw.zCard(byInviterKey(BOT_HOST, `${USER}@${BOT_HOST}`));
      },
    },
    {
      name: "native",
      client: nativeClient,
      warmup: nativeWarmup,
      async storeCount() {
        let text: string;
        try {
          text = readFileSync(prosody.storePath(USER, NATIVE_HOST, "invite_token"), "utf8");
        } catch {
          return 0; // no invite yet: Prosody has not created the file
        }
        // mod_storage_internal's map store: return { ["TOKEN"] = EXPIRES; ... };
        return text.match(/\["[\w-]+"\]\s*=\s*\d+\s*;/gu)?.length ?? 0;
      },
    },
  ];
  const [botSide, nativeSide] = sides as [Side, Side];
  // The floor stores nothing: no store count to check.
  const floorSide: Side = { name: "floor", client: floorClient, warmup: floorWarmup };

  /** Closed-loop load on one side, with the CPU each process spent on it. */
  const load = async (side: Side, count: number, maxSeconds: number, what: string): Promise<Throughput> => {
    const store = await checkedStoreCount(side);
    log(
      `${side.name}: ${what}: ${count} requests, ${SETTINGS.concurrency} in flight (${store} invites in the store) …`,
    );
    const before = cpu.snapshot();
    const result = await closedLoop(side.client, {
      concurrency: SETTINGS.concurrency,
      count,
      maxSeconds,
      progress: (done, seconds) => log(`${side.name}: … ${store + done} invites after ${seconds.toFixed(0)} s`),
    });
    const perInvite = cpu.perOperation(before, cpu.snapshot(), result.count);
    log(
      `${side.name}: ${result.count} in ${result.seconds.toFixed(2)} s = ${result.perSecond.toFixed(0)}/s${result.capped ? " (time cap hit)" : ""}`,
    );
    return { ...result, store, cpu: perInvite };
  };

  const seq = async (): Promise<[Sequential, Sequential, Sequential]> => {
    const stores = [await checkedStoreCount(botSide), await checkedStoreCount(nativeSide)];
    log(
      `sequential: ${SETTINGS.sequential} rounds of one bot, one native and one floor request (stores: ${stores.join(" / ")}) …`,
    );
    const [b, n, f] = (await sequentialEach(
      [botSide.client, nativeSide.client, floorSide.client],
      SETTINGS.sequential,
    )) as [LatencyResult, LatencyResult, LatencyResult];
    log(`sequential: p50 bot ${ms(b.p50)}, native ${ms(n.p50)}, floor ${ms(f.p50)}`);
    return [
      { ...b, store: stores[0] ?? 0 },
      { ...n, store: stores[1] ?? 0 },
      { ...f, store: 0 },
    ];
  };

  // Warm-up, by another user of each host.
  log(`warm-up by ${WARMUP_USER}: ${SETTINGS.cold} sequential rounds, then ${SETTINGS.warmup} requests per side …`);
  const [botCold, nativeCold, floorCold] = (await sequentialEach(
    [botWarmup, nativeWarmup, floorWarmup],
    SETTINGS.cold,
  )) as [LatencyResult, LatencyResult, LatencyResult];
  for (const side of [...sides, floorSide]) {
    await closedLoop(side.warmup, { concurrency: SETTINGS.concurrency, count: SETTINGS.warmup, maxSeconds: 60 });
  }

  // Counted on the warm-up user's invites: the measured user's store stays empty.
  log("Redis round trips per contact invite: MONITOR over 20 invites …");
  const roundTrips = await roundTripsPer(redis.url, 20, () => botWarmup.createInvite());

  // What a request costs that does no work at the other end: the floor under each side's latency.
  log(`reference: ${SETTINGS.sequential} rounds of XMPP ping (bot, server) and Redis PING …`);
  const timedRedisPing = async (): Promise<number> => {
    const started = performance.now();
    await raw.ping();
    return performance.now() - started;
  };
  const [botPing, nativePing, redisPing] = (await roundsOf(
    [() => botClient.ping(), () => nativeClient.ping(), timedRedisPing],
    SETTINGS.sequential,
  )) as [LatencyResult, LatencyResult, LatencyResult];

  const [botEmptySeq, nativeEmptySeq, floorEmptySeq] = await seq();
  const botEmptyTput = await load(botSide, SETTINGS.throughput, SETTINGS.throughputMaxSeconds, "throughput");
  const nativeEmptyTput = await load(nativeSide, SETTINGS.throughput, SETTINGS.throughputMaxSeconds, "throughput");
  const floorEmptyTput = await load(floorSide, SETTINGS.throughput, SETTINGS.throughputMaxSeconds, "throughput");

  const fill = async (side: Side): Promise<Throughput> => {
    const missingInvites = SETTINGS.fillTo - (await checkedStoreCount(side));
    if (missingInvites < 1) throw new Error(`BENCH_FILL_TO=${SETTINGS.fillTo} is not above the invites made so far`);
    return load(side, missingInvites, SETTINGS.fillMaxSeconds, `filling to ${SETTINGS.fillTo}`);
  };
  const botFill = await fill(botSide);
  const nativeFill = await fill(nativeSide);

  const [botFullSeq, nativeFullSeq, floorFullSeq] = await seq();
  const botFullTput = await load(botSide, SETTINGS.throughput, SETTINGS.throughputMaxSeconds, "throughput");
  const nativeFullTput = await load(nativeSide, SETTINGS.throughput, SETTINGS.throughputMaxSeconds, "throughput");
  const floorFullTput = await load(floorSide, SETTINGS.throughput, SETTINGS.throughputMaxSeconds, "throughput");

  const memory = bot.memory();
  const counts = bot.logCounts();
  for (const side of sides) await checkedStoreCount(side);
  const totals = sides.map((side) => `${side.name} ${side.client.created + side.warmup.created}`).join(", ");
  const loadAfter = loadavg();

  for (const client of [botClient, botWarmup, nativeClient, nativeWarmup, floorClient, floorWarmup]) {
    await client.stop();
  }
  const floorMemory = floor.memory();
  await floor.stop();
  const exitCode = await bot.stop();
  if (exitCode !== 0) throw new Error(`the bot exited with code ${String(exitCode)} on SIGTERM:\n${bot.output()}`);
  if ((counts.WARN ?? 0) + (counts.ERROR ?? 0) > 0) {
    throw new Error(`the bot logged warnings or errors during the run:\n${bot.output()}`);
  }
  log("restarting the bot, its modules' compiled code cached by the first start …");
  const restarted = await spawnBot(build.main, botEnv, 30_000, SETTINGS.botNodeFlags);
  await restarted.stop();

  report({
    reference: { botPing, nativePing, redisPing },
    bot: {
      cold: botCold,
      emptySeq: botEmptySeq,
      emptyTput: botEmptyTput,
      fill: botFill,
      fullSeq: botFullSeq,
      fullTput: botFullTput,
    },
    native: {
      cold: nativeCold,
      emptySeq: nativeEmptySeq,
      emptyTput: nativeEmptyTput,
      fill: nativeFill,
      fullSeq: nativeFullSeq,
      fullTput: nativeFullTput,
    },
    floor: {
      cold: floorCold,
      emptySeq: floorEmptySeq,
      emptyTput: floorEmptyTput,
      fullSeq: floorFullSeq,
      fullTput: floorFullTput,
      memory: floorMemory,
    },
    roundTrips,
    onlineMs: bot.onlineMs,
    restartOnlineMs: restarted.onlineMs,
    connectingMs: bot.connectingMs,
    memoryAtOnline,
    memory,
    totals,
    load: [loadBefore, loadAfter],
    prosodyVersion: await prosody.version(),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Report

interface Report {
  reference: { botPing: LatencyResult; nativePing: LatencyResult; redisPing: LatencyResult };
  bot: SideResults;
  native: SideResults;
  floor: FloorResults;
  /** Redis round trips per contact invite of a user with a quota. */
  roundTrips: number;
  onlineMs: number;
  /** The same after a restart, Node's compile cache filled by the first start. */
  restartOnlineMs: number;
  connectingMs: number | undefined;
  memoryAtOnline: BotMemory;
  memory: BotMemory;
  totals: string;
  load: [number[], number[]];
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

/** label, bot, native, floor, bot/native, bot/floor */
type Row = [string, string, string, string, string, string];

const ratioOf = (a: number, b: number | undefined): string => (b === undefined ? "" : ratio(a / b));

function throughputRows(bot: Throughput, native: Throughput, floor: Throughput | undefined, label: string): Row[] {
  const cpu = (t: Throughput | undefined, names: readonly string[]): string =>
    t === undefined ? "" : names.map((name) => (t.cpu[name] ?? 0).toFixed(2)).join(" ");
  const measured = ["prosody", "bot", "redis", "client"];
  return [
    [label, "", "", "", "", ""],
    ["  invites in store at start", String(bot.store), String(native.store), floor ? "-" : "", "", ""],
    ["  requests (time)", countNote(bot), countNote(native), floor ? countNote(floor) : "", "", ""],
    [
      "  throughput",
      perSecond(bot.perSecond),
      perSecond(native.perSecond),
      floor ? perSecond(floor.perSecond) : "",
      ratio(bot.perSecond / native.perSecond),
      ratioOf(bot.perSecond, floor?.perSecond),
    ],
    ["  p50 / p99 under load", pair(bot), pair(native), floor ? pair(floor) : "", "", ""],
    [
      "  CPU ms/invite: Prosody, bot (floor), Redis, client",
      cpu(bot, measured),
      cpu(native, measured),
      cpu(floor, ["prosody", "floor", "redis", "client"]),
      "",
      "",
    ],
  ];
}

function sequentialRows(bot: Sequential, native: Sequential, floor: Sequential, label: string): Row[] {
  return [
    [label, "", "", "", "", ""],
    ["  invites in store at start", String(bot.store), String(native.store), "-", "", ""],
    ...(["p50", "p99"] as const).map(
      (p): Row => [
        `  ${p} latency`,
        ms(bot[p]),
        ms(native[p]),
        ms(floor[p]),
        ratio(bot[p] / native[p]),
        ratio(bot[p] / floor[p]),
      ],
    ),
  ];
}

function report(r: Report): void {
  const { bot, native, floor } = r;
  const rows: Row[] = [
    ["", "bot (Redis)", "native (file)", "floor", "bot/native", "bot/floor"],
    [`cold: first ${bot.cold.count} requests after start (warm-up user)`, "", "", "", "", ""],
    [
      "  p50 latency",
      ms(bot.cold.p50),
      ms(native.cold.p50),
      ms(floor.cold.p50),
      ratio(bot.cold.p50 / native.cold.p50),
      ratio(bot.cold.p50 / floor.cold.p50),
    ],
    [`reference: no-op round trips, sequential, n=${r.reference.botPing.count}`, "", "", "", "", ""],
    [
      "  XMPP ping to the bot / to the server, p50",
      ms(r.reference.botPing.p50),
      ms(r.reference.nativePing.p50),
      "",
      ratio(r.reference.botPing.p50 / r.reference.nativePing.p50),
      "",
    ],
    ["  Redis PING from a node-redis client, p50", ms(r.reference.redisPing.p50), "", "", "", ""],
    ["  Redis round trips per contact invite (MONITOR)", r.roundTrips.toFixed(2), "", "", "", ""],
    ...sequentialRows(
      bot.emptySeq,
      native.emptySeq,
      floor.emptySeq,
      `empty store: sequential, n=${bot.emptySeq.count}`,
    ),
    ...throughputRows(
      bot.emptyTput,
      native.emptyTput,
      floor.emptyTput,
      `empty store: ${SETTINGS.concurrency} in flight`,
    ),
    ...throughputRows(
      bot.fill,
      native.fill,
      undefined,
      `fill to ${SETTINGS.fillTo}: ${SETTINGS.concurrency} in flight`,
    ),
    ...sequentialRows(
      bot.fullSeq,
      native.fullSeq,
      floor.fullSeq,
      `after ${SETTINGS.fillTo}: sequential, n=${bot.fullSeq.count}`,
    ),
    ...throughputRows(
      bot.fullTput,
      native.fullTput,
      floor.fullTput,
      `after ${SETTINGS.fillTo}: ${SETTINGS.concurrency} in flight`,
    ),
  ];
  const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("   ")
      .trimEnd();

  const rssMB = (r.memory.rssMiB * MIB) / 1e6;
  const verdict = (ok: boolean): string => (ok ? "PASS" : "MISS");
  const mem = (m: BotMemory): string =>
    `${m.rssMiB.toFixed(1)} MiB (anonymous ${m.anonMiB.toFixed(1)} + file-backed ${m.fileMiB.toFixed(1)})`;
  const capped = [bot.fill, native.fill].some((fill) => fill.capped)
    ? `\nNOTE: a fill hit its ${SETTINGS.fillMaxSeconds} s cap; the "after" rows start below ${SETTINGS.fillTo} invites.`
    : "";
  const target = (what: string, value: number, show: (value: number) => string, ok: boolean) =>
    [what, show(value), ok] as [string, string, boolean];
  const nativeLatency = bot.emptySeq.p50 / native.emptySeq.p50;
  const nativeThroughput = bot.fullTput.perSecond / native.fullTput.perSecond;
  const floorLatency = bot.emptySeq.p50 / floor.emptySeq.p50;
  const floorThroughput = bot.emptyTput.perSecond / floor.emptyTput.perSecond;
  const targets = [
    target(
      `bot p50 ≤ ${TARGETS.latencyRatio}× native, empty store`,
      nativeLatency,
      ratio,
      nativeLatency <= TARGETS.latencyRatio,
    ),
    target(
      `bot throughput ≥ ${TARGETS.throughputRatio}× native, after ${SETTINGS.fillTo}`,
      nativeThroughput,
      ratio,
      nativeThroughput >= TARGETS.throughputRatio,
    ),
    target(
      `bot p50 ≤ ${TARGETS.floorLatencyRatio}× the floor, empty store, sequential`,
      floorLatency,
      ratio,
      floorLatency <= TARGETS.floorLatencyRatio,
    ),
    target(
      `bot throughput ≥ ${TARGETS.floorThroughputRatio}× the floor, ${SETTINGS.concurrency} in flight, empty store`,
      floorThroughput,
      ratio,
      floorThroughput >= TARGETS.floorThroughputRatio,
    ),
    target(
      `Redis round trips per contact invite ≤ ${TARGETS.roundTrips}`,
      r.roundTrips,
      (v) => v.toFixed(2),
      r.roundTrips <= TARGETS.roundTrips,
    ),
    target(
      `bot online ≤ ${TARGETS.onlineMs} ms after spawn, first start`,
      r.onlineMs,
      (v) => `${v.toFixed(0)} ms`,
      r.onlineMs <= TARGETS.onlineMs,
    ),
    target(
      `bot online ≤ ${TARGETS.onlineMs} ms after spawn, compile cache filled`,
      r.restartOnlineMs,
      (v) => `${v.toFixed(0)} ms`,
      r.restartOnlineMs <= TARGETS.onlineMs,
    ),
    target(
      `bot RSS ≤ ${TARGETS.rssMB} MB after the run, web server on`,
      rssMB,
      (v) => `${v.toFixed(1)} MB`,
      rssMB <= TARGETS.rssMB,
    ),
  ];
  const targetWidth = Math.max(...targets.map(([what]) => what.length));
  const flags = SETTINGS.botNodeFlags.length > 0 ? ` ${SETTINGS.botNodeFlags.join(" ")}` : "";

  const out = [
    "",
    "Invite creation (XEP-0050 urn:xmpp:invite#invite): the bot (Redis) vs Prosody's mod_invites_adhoc (internal storage)",
    "and the floor (scripts/bench-floor-responder.ts: a bare @xmpp/client responder with a fixed answer)",
    `machine: ${availableParallelism()} CPUs, ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM; load average ${r.load[0].map((l) => l.toFixed(2)).join(" ")} at start, ${r.load[1].map((l) => l.toFixed(2)).join(" ")} at end`,
    `versions: Prosody ${r.prosodyVersion}; ${firstLine("redis-server", ["--version"])}; Node ${process.version}`,
    `clients: @xmpp/client, ${USER}@${BOT_HOST} → ${BOT_USER}@${BOT_HOST}/${BOT_RESOURCE}, ${USER}@${NATIVE_HOST} → ${NATIVE_HOST}, ${USER}@${BOT_HOST} → ${FLOOR_USER}@${BOT_HOST}/${FLOOR_RESOURCE}`,
    "",
    ...rows.map(line),
    "",
    `bot process (node${flags} dist/main.js): online ${r.onlineMs.toFixed(0)} ms after spawn` +
      (r.connectingMs === undefined
        ? ""
        : ` (${r.connectingMs.toFixed(0)} ms to "Connecting": node and modules; ${(r.onlineMs - r.connectingMs).toFixed(0)} ms to "Online": TCP, SASL SCRAM-SHA-1 with Prosody's 10,000 iterations, bind)`),
    `  online ${r.restartOnlineMs.toFixed(0)} ms after spawn on a restart, Node's compile cache filled by the first start (as the image's build fills it)`,
    `  RSS at online    ${mem(r.memoryAtOnline)}`,
    `  RSS after run    ${mem(r.memory)} = ${rssMB.toFixed(1)} MB; peak ${r.memory.peakMiB.toFixed(1)} MiB`,
    `  the floor's RSS after its run: ${mem(floor.memory)}`,
    `invites created per side: ${r.totals}${capped}`,
    "",
    "targets",
    ...targets.map(([what, value, ok]) => `  ${what.padEnd(targetWidth)}   ${value.padStart(8)}   ${verdict(ok)}`),
    `run time: ${elapsed().trim()}`,
    "",
  ];
  console.log(out.join("\n"));
}

function pair(result: ThroughputResult): string {
  return `${result.p50.toFixed(1)} / ${result.p99.toFixed(1)} ms`;
}

function countNote(result: ThroughputResult): string {
  return `${result.count} (${result.seconds.toFixed(1)} s${result.capped ? ", cap" : ""})`;
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
