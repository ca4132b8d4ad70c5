/**
 * The circles phase of `npm run bench` (docs/benchmarks.md, "Joining a circle"; issue 22): a newcomer who registers
 * in-band with an invite to a circle of 1, 100 and 1,000 members, on a private Prosody with our module
 * (prosody/invites_redis_circles.lib.lua makes them a member and every member's mutual contact, server-side).
 *
 * Per join: fresh member accounts (made in Prosody itself through its admin shell, a batch of usermanager.create_user
 * calls: what `prosodyctl register` does, without a process per account), a circle of them made through the bot's app
 * (CircleService.create), an account invite to it (InviteService.createAccountInvite), then the newcomer's XEP-0077
 * registration with the invite's token (preauth first, untimed). Measured from the registration's result:
 *
 * - the roster pushes (RFC 6121 §2.1.6) of the newcomer's item to BENCH_CIRCLES_SAMPLE (20) members kept online,
 *   spread over the order in which the module goes through the members (Redis's HGETALL order), the last one among
 *   them: first and last push;
 * - the module's log line "… joined circle … new contacts with N of its members", which it writes once every roster
 *   has been saved (Prosody's log file, read from its end every 2 ms);
 * - done = the later of the two. After that, every member's stored roster (mod_storage_internal's files) is read and
 *   must hold the newcomer, "both", in the circle's group, and the newcomer's must hold the N members.
 *
 * Meanwhile another user pings the server (XEP-0199) every BENCH_CIRCLES_PING_MS (10) without waiting for the answers
 * (open loop: a stalled server delays every ping sent meanwhile, not just one), each timed from its sending. Reported:
 * the pings sent during the join (from the registration's sending to done) and those of the second before it.
 * Targets: ping p95 ≤ 20 ms during the 1,000-member join; time per member of the 1,000 join ≤ 1.5× the 100 join's.
 *
 * Prosody logs at `info` (its packaged default; BENCH_CIRCLES_LOG=debug for a look at where the time goes) and keeps
 * the harness's SCRAM iteration count (256 on 0.12, 4096 on 13), which only the logins and the registration pay.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { actorFor } from "../src/invites/permissions.js";
import { circleMembersKey } from "../src/storage/keys.js";
import { tokenOf } from "../test/helpers/adhoc-client.js";
import { startBot, type TestBot } from "../test/helpers/bot.js";
import { openIbrSession } from "../test/helpers/ibr-client.js";
import { luaString, prosodyConfig } from "../test/helpers/prosody-config.js";
import { type ProsodyServer, prosodyMajorVersion, startProsody } from "../test/helpers/prosody-server.js";
import { startRedis } from "../test/helpers/redis-server.js";
import { type RawRedis, rawRedisClient } from "../test/helpers/scenario.js";
import { inviteModuleOptions } from "../test/helpers/servers.js";
import { connectUser, type TestUser } from "../test/helpers/xmpp-user.js";
import { percentile } from "./bench-load.js";
import type { PingStats } from "./bench-stall.js";

export const CIRCLES_TARGETS = { pingP95Ms: 20, pingSize: 1000, linearFactor: 1.5 } as const;

export interface CirclesSettings {
  /** Circle sizes, in order (1, 100, 1000). */
  sizes: readonly number[];
  /** Joins per size, each into a new circle of new accounts. */
  joins: number;
  /** Members kept online to watch their roster pushes. */
  sample: number;
  pingEveryMs: number;
  logLevel: "info" | "debug";
  /** Loads a diagnostic module that times the roster and account calls the join makes (PROFILE_MODULE). */
  profile: boolean;
}

export interface CirclesContext {
  settings: CirclesSettings;
  log(text: string): void;
  defer(task: () => Promise<unknown>): void;
}

export interface JoinResult {
  size: number;
  join: number;
  setup: { accountsMs: number; circleMs: number; loginsMs: number };
  /** The registration IQ, sent → result. */
  registerMs: number;
  /** After the registration's result: the first and the last roster push to a sampled member, the log line. */
  firstPushMs: number;
  lastPushMs: number;
  logLineMs: number;
  doneMs: number;
  sampled: number;
  /** Whether the sample held the member the module took last. */
  sampledLast: boolean;
  /** What the module's log line says: new contacts with this many members. */
  contactsLogged: number;
  /** Members whose stored roster has the newcomer, "both", in the circle's group. */
  rostersVerified: number;
  /** Items in the newcomer's stored roster. */
  newcomerItems: number;
  pingsBefore: PingStats;
  pingsDuring: PingStats;
  /** With `profile`: what Prosody spent in each call during the join, "name": calls and total ms. */
  profile?: Record<string, { calls: number; ms: number }>;
}

export interface CirclesResults {
  prosodyVersion: string;
  logLevel: string;
  pingEveryMs: number;
  pingFailures: number;
  joins: JoinResult[];
}

/**
 * A diagnostic Prosody module (BENCH_CIRCLES_PROFILE=1), not part of the product: wraps the functions the join calls
 * through their modules' tables (invites_redis_circles.lib.lua looks them up at each call) and adds up their calls and
 * wall-clock time in `prosody.circle_bench_profile`, which the bench reads and empties through the admin shell. The
 * newcomer's own roster saves are counted apart (accounts named …new).
 */
const PROFILE_MODULE = `
local now = require "util.time".now;
local totals = {};
prosody.circle_bench_profile = totals;
local originals = {};
local function wrap(tbl, name, label_of)
	local original = tbl[name];
	originals[#originals + 1] = { tbl, name, original };
	tbl[name] = function (...)
		local started = now();
		local results = table.pack(original(...));
		local label = label_of(...);
		local t = totals[label] or { calls = 0, ms = 0 };
		t.calls, t.ms = t.calls + 1, t.ms + (now() - started) * 1000;
		totals[label] = t;
		return table.unpack(results, 1, results.n);
	end
end
local function named(label) return function () return label; end end
local function whose(label)
	return function (username) return label .. (tostring(username):match("new$") and " (newcomer)" or " (member)"); end
end
wrap(require "core.rostermanager", "load_roster", whose("load_roster"));
wrap(require "core.rostermanager", "save_roster", whose("save_roster"));
wrap(require "core.rostermanager", "roster_push", named("roster_push"));
wrap(require "core.usermanager", "user_exists", named("user_exists"));
wrap(require "util.hashes", "hmac_sha256", named("hmac_sha256"));
function module.unload()
	for _, o in ipairs(originals) do o[1][o[2]] = o[3]; end
end
`;
const PROFILE_READ =
  ">local out = {}; for label, t in pairs(prosody.circle_bench_profile) do " +
  'out[#out + 1] = string.format("%s=%d:%.3f", label, t.calls, t.ms); prosody.circle_bench_profile[label] = nil; end; ' +
  'return table.concat(out, ";")';

const HOST = "localhost";
const MEMBER_PASSWORD = "member-password";
const ADMIN = `admin@${HOST}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const jidOf = (name: string): string => `${name}@${HOST}`;

function statsOf(values: readonly number[]): PingStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Servers

interface Stage {
  prosody: ProsodyServer;
  redis: RawRedis;
  bot: TestBot;
  logPath: string;
}

async function startStage(ctx: CirclesContext): Promise<Stage> {
  const redisServer = await startRedis();
  ctx.defer(() => redisServer.stop());
  let extraPaths: string[] = [];
  if (ctx.settings.profile) {
    const dir = await mkdtemp(join(tmpdir(), "bench-circles-profile-"));
    ctx.defer(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, "mod_circle_bench_profile.lua"), PROFILE_MODULE);
    extraPaths = [dir];
  }
  // As test/helpers/servers.ts configures Prosody with our module (docs/prosody.md), on one host, logging at info.
  const options = inviteModuleOptions(
    new URL(redisServer.prosodyUrl).toString().replace(/\/$/u, ""),
    undefined,
    undefined,
    extraPaths,
  );
  const modules = [...(options.extraModules ?? []), ...(ctx.settings.profile ? ["circle_bench_profile"] : [])];
  const level = ctx.settings.logLevel;
  const prosody = await startProsody({
    config: ({ dir, port }) =>
      prosodyConfig({
        dir,
        port,
        hosts: [HOST],
        extraModules: modules,
        extraConfig: options.extraConfig,
        ...(options.storage === undefined ? {} : { storage: options.storage }),
        major: prosodyMajorVersion(),
      }).replace(/^log = .*$/mu, `log = { ${level} = ${luaString(join(dir, "prosody.log"))} }`),
  });
  ctx.defer(() => prosody.stop());
  for (const name of ["admin", "bot", "pinger"]) await prosody.register(name, HOST, `${name}-password`);
  const redis = rawRedisClient(redisServer.url);
  redis.on("error", () => {});
  await redis.connect();
  ctx.defer(async () => redis.destroy());
  const bot = await startBot({ service: prosody.service, redisUrl: redisServer.botUrl }, "bot", {
    ADMIN_JIDS: ADMIN,
    LOG_LEVEL: "info",
  });
  ctx.defer(() => bot.stop());
  return { prosody, redis, bot, logPath: join(prosody.dir, "prosody.log") };
}

/**
 * Creates `count` accounts `PREFIXn` (n = 1 … count) in Prosody itself: its admin shell runs
 * usermanager.create_user, as `prosodyctl register` does, 250 to a call.
 */
async function createAccounts(prosody: ProsodyServer, prefix: string, count: number): Promise<string[]> {
  for (let from = 1; from <= count; from += 250) {
    const to = Math.min(count, from + 249);
    const lua =
      `>local um = require "core.usermanager"; local made = 0; ` +
      `for i = ${from}, ${to} do if um.create_user(${luaString(prefix)}..i, ${luaString(MEMBER_PASSWORD)}, ` +
      `${luaString(HOST)}) then made = made + 1 end end; return made`;
    const out = await prosody.prosodyctl("shell", lua);
    const made = /Result: (\d+)/u.exec(out)?.[1];
    if (made !== String(to - from + 1)) throw new Error(`creating ${prefix}${from}…${to} in the shell: ${out}`);
  }
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Watching

interface Pinger {
  /** Pings sent at `at` (performance.now()) and their round trip. */
  samples: Array<{ at: number; rtt: number }>;
  failures: number;
  between(from: number, to: number): PingStats;
  /** Resolves once every ping sent up to `until` has its answer (or failed). */
  answered(until: number): Promise<void>;
  stop(): Promise<void>;
}

/** Pings the server every `everyMs`, each timed from its sending, without waiting for earlier answers. */
function startPinger(user: TestUser, everyMs: number): Pinger {
  /** Pings waiting for their answer, by the time they were sent. */
  const pending = new Map<number, Promise<void>>();
  const pinger: Pinger = {
    samples: [],
    failures: 0,
    between: (from, to) => statsOf(pinger.samples.filter(({ at }) => at >= from && at <= to).map(({ rtt }) => rtt)),
    async answered(until) {
      await Promise.allSettled([...pending].filter(([at]) => at <= until).map(([, done]) => done));
    },
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...pending.values()]);
    },
  };
  const timer = setInterval(() => {
    const at = performance.now();
    const ping = xml("iq", { type: "get", to: HOST }, xml("ping", { xmlns: "urn:xmpp:ping" }));
    const done = user.request(ping, 60_000).then(
      () => {
        pinger.samples.push({ at, rtt: performance.now() - at });
      },
      () => {
        pinger.failures += 1;
      },
    );
    pending.set(at, done);
    void done.finally(() => pending.delete(at));
  }, everyMs);
  return pinger;
}

/** New text at the end of a file: each read() from where the last one stopped. */
function fileTail(path: string): { read(): string; close(): void } {
  const fd = openSync(path, "r");
  let offset = statSync(path).size;
  const buffer = Buffer.alloc(1 << 16);
  return {
    read() {
      let text = "";
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, offset);
        if (read === 0) return text;
        offset += read;
        text += buffer.subarray(0, read).toString("utf8");
      }
    },
    close: () => closeSync(fd),
  };
}

/** The item for `jid` in a mod_storage_internal roster file (`return { ["jid"] = { … }; … }`), as text. */
function storedItem(text: string, jid: string): string | undefined {
  const start = text.indexOf(`[${JSON.stringify(jid)}] = {`);
  if (start === -1) return undefined;
  let depth = 0;
  for (let i = text.indexOf("{", start); i < text.length; i++) {
    if (text[i] === "{") depth += 1;
    if (text[i] === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

function rosterText(prosody: ProsodyServer, user: string): string {
  // Account names here are [a-z0-9]: the file name is the name itself (util/datamanager.lua).
  try {
    return readFileSync(join(prosody.dir, "data", HOST, "roster", `${user}.dat`), "utf8");
  } catch {
    return "";
  }
}

function isContact(item: string | undefined, group: string): boolean {
  if (item === undefined) return false;
  return item.includes('["subscription"] = "both"') && item.includes(`[${JSON.stringify(group)}] = true`);
}

/** Indices 0 … count-1, `wanted` of them spread evenly, the first and the last among them. */
function spread(count: number, wanted: number): number[] {
  if (count <= wanted) return Array.from({ length: count }, (_, i) => i);
  if (wanted === 1) return [count - 1];
  return [...new Set(Array.from({ length: wanted }, (_, k) => Math.round((k * (count - 1)) / (wanted - 1))))];
}

/** The diagnostic module's totals since the last call (which empties them). */
async function readProfile(prosody: ProsodyServer): Promise<Record<string, { calls: number; ms: number }>> {
  const out = await prosody.prosodyctl("shell", PROFILE_READ);
  const text = /Result: (.*)$/mu.exec(out)?.[1] ?? "";
  const totals: Record<string, { calls: number; ms: number }> = {};
  for (const part of text.split(";")) {
    const match = /^(.+)=(\d+):([\d.]+)$/u.exec(part.trim());
    if (match !== null) totals[match[1] ?? ""] = { calls: Number(match[2]), ms: Number(match[3]) };
  }
  return totals;
}

/** The members of a circle in the order HGETALL gives them, which is the order the module goes through them. */
async function memberOrder(redis: RawRedis, id: string): Promise<string[]> {
  const flat = (await redis.sendCommand(["HGETALL", circleMembersKey(HOST, id)])) as string[];
  return flat.filter((_, i) => i % 2 === 0);
}

// ---------------------------------------------------------------------------------------------------------------
// One join

async function oneJoin(ctx: CirclesContext, stage: Stage, pinger: Pinger, size: number, n: number) {
  const { prosody, redis, bot } = stage;
  const prefix = `c${size}j${n}m`;
  const group = `Bench ${size} #${n}`;
  const newcomer = `c${size}j${n}new`;
  const newcomerJid = jidOf(newcomer);

  let started = performance.now();
  const members = await createAccounts(prosody, prefix, size);
  const accountsMs = performance.now() - started;
  started = performance.now();
  const admin = actorFor(ADMIN, bot.app.service.policy);
  const circle = await bot.app.circles.create(admin, group, { members: members.map(jidOf) });
  const circleMs = performance.now() - started;
  if (circle.members.length !== size) throw new Error(`the circle has ${circle.members.length} members, not ${size}`);

  // The module takes the members in HGETALL's order (the newcomer added first, which can move nobody here: the
  // hash grows by one, below its next resize, or is a listpack kept in insertion order).
  const order = await memberOrder(redis, circle.id);
  const watched = spread(order.length, ctx.settings.sample).map((i) => order[i] ?? "");
  started = performance.now();
  const pushes = new Map<string, number>();
  const online: TestUser[] = [];
  try {
    for (const jid of watched) {
      const user = await connectUser({
        service: prosody.service,
        domain: HOST,
        username: jid.split("@")[0] ?? "",
        password: MEMBER_PASSWORD,
      });
      online.push(user);
      user.xmpp.on("stanza", (stanza: Element) => {
        if (stanza.name !== "iq" || stanza.attrs.type !== "set" || pushes.has(jid)) return;
        const items = stanza.getChild("query", "jabber:iq:roster")?.getChildren("item") ?? [];
        const item = items.find((each) => each.attrs.jid === newcomerJid);
        const groups = item?.getChildren("group").map((each) => each.text()) ?? [];
        if (item?.attrs.subscription === "both" && groups.includes(group)) pushes.set(jid, performance.now());
      });
    }
    const loginsMs = performance.now() - started;

    const { invite } = await bot.app.service.createAccountInvite(admin, `${ADMIN}/bench`, { circles: [circle.id] });
    const session = await openIbrSession({ port: prosody.port, domain: HOST });
    let tail: ReturnType<typeof fileTail> | undefined;
    try {
      const preauth = await session.preauth(tokenOf(invite.uri));
      if (preauth.attrs.type !== "result") throw new Error(`preauth failed: ${preauth.toString()}`);
      await sleep(1000); // quiet: the pings of this second are the "before" figures
      if (ctx.settings.profile) await readProfile(prosody); // from zero
      tail = fileTail(stage.logPath);
      const logged = new RegExp(
        `${newcomerJid.replace(/\./gu, "\\.")} joined circle .*new contacts with (\\d+) of`,
        "u",
      );

      const sent = performance.now();
      const reply = await session.register(newcomer, `${newcomer}-password`, 120_000);
      const result = performance.now();
      if (reply.attrs.type !== "result") throw new Error(`registration failed: ${reply.toString()}`);
      let logLine: number | undefined;
      let contactsLogged = Number.NaN;
      let text = "";
      const deadline = result + 300_000;
      while (logLine === undefined || pushes.size < watched.length) {
        if (logLine === undefined) {
          text += tail.read();
          const match = logged.exec(text);
          if (match !== null) {
            logLine = performance.now();
            contactsLogged = Number(match[1]);
          }
        }
        if (performance.now() > deadline) {
          throw new Error(
            `join of ${newcomerJid} not seen within 300 s: log line ${logLine === undefined ? "missing" : "seen"}, ` +
              `${pushes.size} of ${watched.length} pushes\n${prosody.logTail(30)}`,
          );
        }
        await sleep(2);
      }
      const pushTimes = [...pushes.values()];
      const lastPush = Math.max(...pushTimes);
      const done = Math.max(lastPush, logLine);
      // The pings sent while Prosody was busy are answered after it: wait for them before counting.
      await pinger.answered(done);
      const profile = ctx.settings.profile ? await readProfile(prosody) : undefined;
      const finalOrder = await memberOrder(redis, circle.id);
      const lastMember = finalOrder.filter((jid) => jid !== newcomerJid).at(-1);

      const rostersVerified = members.filter((name) =>
        isContact(storedItem(rosterText(prosody, name), newcomerJid), group),
      ).length;
      const mine = rosterText(prosody, newcomer);
      const newcomerItems = members.filter((name) => isContact(storedItem(mine, jidOf(name)), group)).length;
      const joined: JoinResult = {
        size,
        join: n,
        setup: { accountsMs, circleMs, loginsMs },
        registerMs: result - sent,
        firstPushMs: Math.min(...pushTimes) - result,
        lastPushMs: lastPush - result,
        logLineMs: logLine - result,
        doneMs: done - result,
        sampled: watched.length,
        sampledLast: lastMember !== undefined && watched.includes(lastMember),
        contactsLogged,
        rostersVerified,
        newcomerItems,
        pingsBefore: pinger.between(sent - 1000, sent),
        pingsDuring: pinger.between(sent, done),
        ...(profile === undefined ? {} : { profile }),
      };
      if (finalOrder.length !== size + 1) throw new Error(`the circle has ${finalOrder.length} members after the join`);
      return joined;
    } finally {
      tail?.close();
      await session.close();
    }
  } finally {
    await Promise.allSettled(online.map((user) => user.stop()));
  }
}

export async function runCirclesBench(ctx: CirclesContext): Promise<CirclesResults> {
  const { settings, log } = ctx;
  log(`circles: starting Prosody (our module, log at ${settings.logLevel}), Redis and the bot …`);
  const stage = await startStage(ctx);
  const version = /^Prosody\s+(.+)$/mu.exec(await stage.prosody.prosodyctl("about").catch(() => ""))?.[1]?.trim();
  const pingUser = await connectUser({
    service: stage.prosody.service,
    domain: HOST,
    username: "pinger",
    password: "pinger-password",
  });
  ctx.defer(() => pingUser.stop());
  const pinger = startPinger(pingUser, settings.pingEveryMs);
  ctx.defer(() => pinger.stop());
  const joins: JoinResult[] = [];
  try {
    for (const size of settings.sizes) {
      for (let n = 1; n <= settings.joins; n++) {
        log(`circles: a newcomer joins a circle of ${size} (join ${n} of ${settings.joins}) …`);
        const joined = await oneJoin(ctx, stage, pinger, size, n);
        joins.push(joined);
        log(
          `circles: ${size} members: done ${joined.doneMs.toFixed(1)} ms after the registration's result ` +
            `(setup: accounts ${(joined.setup.accountsMs / 1000).toFixed(1)} s, circle ${(joined.setup.circleMs / 1000).toFixed(1)} s); ` +
            `pings during: p95 ${joined.pingsDuring.p95.toFixed(1)} / max ${joined.pingsDuring.max.toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await pinger.stop();
  }
  const unexpected = stage.bot.logs.filter((line) => /^\S+ (WARN|ERROR) /u.test(line));
  if (unexpected.length > 0) log(`circles: the bot logged warnings or errors:\n${unexpected.join("")}`);
  return {
    prosodyVersion: version ?? "unknown",
    logLevel: settings.logLevel,
    pingEveryMs: settings.pingEveryMs,
    pingFailures: pinger.failures,
    joins,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** The verdicts: ping p95 during the 1,000 join(s), and the time per member of the largest size against 100's. */
export function circlesVerdicts(results: CirclesResults): Array<[string, string, boolean]> {
  const perMember = (size: number): number =>
    median(results.joins.filter((j) => j.size === size).map((j) => j.doneMs / size));
  const verdicts: Array<[string, string, boolean]> = [];
  const big = results.joins.filter((j) => j.size === CIRCLES_TARGETS.pingSize);
  if (big.length > 0) {
    const worst = Math.max(...big.map((j) => (j.pingsDuring.count === 0 ? Number.NaN : j.pingsDuring.p95)));
    verdicts.push([
      `another user's ping p95 ≤ ${CIRCLES_TARGETS.pingP95Ms} ms during the ${CIRCLES_TARGETS.pingSize}-member join`,
      Number.isNaN(worst) ? "a join without a ping" : `${worst.toFixed(1)} ms (the worst join's)`,
      worst <= CIRCLES_TARGETS.pingP95Ms,
    ]);
  }
  const sizes = [...new Set(results.joins.map((j) => j.size))].sort((a, b) => a - b);
  const largest = sizes.at(-1);
  const previous = sizes.at(-2);
  if (largest !== undefined && previous !== undefined && previous > 1) {
    const ratio = perMember(largest) / perMember(previous);
    verdicts.push([
      `time per member, ${largest} ≤ ${CIRCLES_TARGETS.linearFactor}× ${previous}`,
      `${perMember(largest).toFixed(2)} vs ${perMember(previous).toFixed(2)} ms = ${ratio.toFixed(2)}×`,
      ratio <= CIRCLES_TARGETS.linearFactor,
    ]);
  }
  return verdicts;
}

export function circlesReport(results: CirclesResults): string {
  const ms = (value: number): string => value.toFixed(1);
  const pings = (p: PingStats): string => `${p.count} ${ms(p.p50)}/${ms(p.p95)}/${ms(p.max)}`;
  const header = [
    "size",
    "join",
    "setup s",
    "register ms",
    "1st push",
    "last push",
    "log line",
    "done ms",
    "ms/member",
    "checked",
    "pings before: n p50/p95/max",
    "pings during: n p50/p95/max",
  ];
  const rows = results.joins.map((j) => [
    String(j.size),
    String(j.join),
    `${(j.setup.accountsMs / 1000).toFixed(1)}+${(j.setup.circleMs / 1000).toFixed(1)}+${(j.setup.loginsMs / 1000).toFixed(1)}`,
    ms(j.registerMs),
    ms(j.firstPushMs),
    ms(j.lastPushMs),
    ms(j.logLineMs),
    ms(j.doneMs),
    (j.doneMs / j.size).toFixed(2),
    `${j.rostersVerified}/${j.size} ${j.newcomerItems} ${j.contactsLogged}${j.sampledLast ? "" : " !last"}`,
    pings(j.pingsBefore),
    pings(j.pingsDuring),
  ]);
  const widths = header.map((_, i) => Math.max(header[i]?.length ?? 0, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => cell.padStart(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const verdicts = circlesVerdicts(results);
  const width = Math.max(0, ...verdicts.map(([what]) => what.length));
  return [
    "",
    `Joining a circle on Prosody ${results.prosodyVersion} (our module; log at ${results.logLevel}; internal storage)`,
    "times in ms after the registration's result; setup s = accounts + circle + sampled members' logins;",
    "checked = members' stored rosters holding the newcomer / the newcomer's items / the module's count;",
    `pings every ${results.pingEveryMs} ms, open loop, by another user (${results.pingFailures} unanswered)`,
    "",
    line(header),
    ...rows.map(line),
    "",
    ...results.joins
      .filter((j) => j.profile !== undefined)
      .map(
        (j) =>
          `profile, ${j.size} members, join ${j.join}: ` +
          Object.entries(j.profile ?? {})
            .sort(([, a], [, b]) => b.ms - a.ms)
            .map(([label, t]) => `${label} ${t.calls}× ${t.ms.toFixed(1)} ms`)
            .join(", "),
      ),
    "targets",
    ...verdicts.map(([what, value, ok]) => `  ${what.padEnd(width)}   ${value}   ${ok ? "PASS" : "MISS"}`),
  ].join("\n");
}
