/**
 * The list phase of `npm run bench` (docs/benchmarks.md, "Listing invites"): how long it takes a user to see
 * their own pending invites, and an admin the first page of everyone's, through the real bot over XMPP, first
 * with an almost empty store and then with 1,000,000 other users' invites in Redis (layout v3, docs/storage.md).
 *
 * It starts a Redis of its own (the invite phase's store is not reused: "empty" must mean empty) and a bot
 * process of its own (`ADMIN_JIDS` names the admin), on the bench's Prosody. Per store state, interleaved in
 * rounds (one request in flight at any time), each of:
 *
 * - the user's chat `invites` (the bot answers with the list in one chat message),
 * - the user's ad-hoc `xmpp-invite-bot#list-invites` (one stage for a non-admin),
 * - the admin's chat `invites` (the first 25 of everyone's),
 * - the admin's ad-hoc `list-invites`: `execute` (a form) then `complete` without a form (the first page),
 * - the Redis backend's `invites.listPage` called from this process for the user and for everyone (no XMPP),
 * - and, as the floor under them, an XEP-0199 ping to the bot and a Redis `PING`.
 *
 * Every answer is checked (the count in its heading, the number of rows); a wrong one stops the run.
 * The seed is generated here and fed to `redis-cli --pipe`: the keys and values the bot writes
 * (src/storage/redis-invite-writes.ts `queueRecordWrite`), signed with the bot's key, one `MULTI`/`EXEC` per 500
 * invites; afterwards the pending index is counted and one seeded inviter is read back through the bot's
 * store code (signatures verify, indexes complete).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createClient } from "@keyv/redis";
import { type Client, client, xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import type { Invite } from "../src/invites/invite.js";
import { recordOf } from "../src/invites/record.js";
import type { InviteStore } from "../src/invites/store.js";
import { createLogger } from "../src/logger.js";
import { encodeEnvelope } from "../src/storage/envelope.js";
import { byInviterKey, idsKey, pendingKey, recordKey } from "../src/storage/keys.js";
import { expiryIndexesOf, type SigningKeys, signRecord, tokenHash } from "../src/storage/record.js";
import { redisBackend } from "../src/storage/redis-backend.js";
import { createRedisClient } from "../src/storage/redis-client.js";
import { MAX_KIND_SCAN } from "../src/storage/redis-invite-reads.js";
import { startRedis, TEST_REDIS_ADMIN } from "../test/helpers/redis-server.js";
import { type BotBuild, spawnBot } from "./bench-bot.js";
import { connectInviteClient, percentile, withTimeout } from "./bench-load.js";
import { type BenchProsody, BOT_HOST } from "./bench-prosody.js";

const NS_COMMANDS = "http://jabber.org/protocol/commands";
const NS_DATA_FORMS = "jabber:x:data";
export const LIST_NODE = "xmpp-invite-bot#list-invites";
const PAGE_SIZE = 25; // src/invites/management.ts PAGE_SIZE
const REQUEST_TIMEOUT_MS = 30_000;

export interface ListSettings {
  /** Other users' pending invites written before the second measurement. */
  seed: number;
  /** Distinct inviters they are spread over. */
  inviters: number;
  /** The measured user's own invites, created through the bot. */
  own: number;
  /** Measured rounds per store state (each round runs every operation once). */
  rounds: number;
  /** Unrecorded rounds before each measurement. */
  warmupRounds: number;
  botNodeFlags: readonly string[];
}

export const LIST_TARGETS = { ownP50Ms: 10, ownRatio: 2, adminP50Ms: 50 } as const;

const LISTER = "lister";
const ADMIN = "listadmin";
const LIST_BOT = "listbot";
const LIST_BOT_RESOURCE = "lists";
const password = (name: string): string => `${name}-bench-password`;

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

function summarize(times: readonly number[]): Summary {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A user's session, listing the way a client does

interface ListSession {
  readonly jid: string;
  /** Sends `invites` as a chat message; resolves with the round trip once the bot's answer is checked. */
  chatList(expectHeading: RegExp, expectLines: number): Promise<number>;
  /** One-stage ad-hoc list (a non-admin): `execute` answered by a completed table. */
  adhocOwn(expectRows: number): Promise<number>;
  /** An admin's ad-hoc list: `execute` (a form), then `complete` without one: the first page. */
  adhocAdmin(expectRows: number): Promise<{ page: number; both: number }>;
  ping(): Promise<number>;
  stop(): Promise<void>;
}

async function connectListSession(service: string, username: string, bot: string): Promise<ListSession> {
  const jid = `${username}@${BOT_HOST}`;
  const xmpp: Client = client({ service, domain: BOT_HOST, username, password: password(username), resource: "lists" });
  xmpp.reconnect.stop();
  const waiting = new Map<string, (body: string) => void>();
  xmpp.on("error", () => {});
  xmpp.on("stanza", (stanza: Element) => {
    if (!stanza.is("message")) return;
    const thread = stanza.getChildText("thread");
    const resolve = thread === null ? undefined : waiting.get(thread);
    if (resolve === undefined) return;
    waiting.delete(thread as string);
    resolve(stanza.getChildText("body") ?? "");
  });
  await withTimeout(xmpp.start(), 15_000, `logging in as ${jid}`);

  const request = async (iq: Element, what: string): Promise<Element> => {
    try {
      return await xmpp.iqCaller.request(iq, REQUEST_TIMEOUT_MS);
    } catch (error) {
      throw new Error(`${jid}: ${what} failed: ${(error as Error).message}`);
    }
  };
  /** An IQ running the list-invites command at the bot. */
  const listCommand = (attrs: Record<string, string>): Element =>
    xml("iq", { type: "set", to: bot }, xml("command", { xmlns: NS_COMMANDS, node: LIST_NODE, ...attrs }));
  const rowsOf = (answer: Element): number =>
    answer.getChild("command", NS_COMMANDS)?.getChild("x", NS_DATA_FORMS)?.getChildren("item").length ?? -1;

  let threads = 0;
  return {
    jid,
    async chatList(expectHeading, expectLines) {
      threads += 1;
      const thread = `list-${threads}`;
      const answer = new Promise<string>((resolve) => waiting.set(thread, resolve));
      const started = performance.now();
      await xmpp.send(xml("message", { to: bot, type: "chat" }, xml("body", {}, "invites"), xml("thread", {}, thread)));
      const body = await withTimeout(answer, REQUEST_TIMEOUT_MS, `${jid}: the answer to "invites"`);
      const elapsed = performance.now() - started;
      const lines = body.split("\n");
      // The heading, "• ID — …" per invite, ["N more: …",] "Say "revoke ID" …" (src/commands/manage-chat.ts).
      const listed = lines.filter((line) => /^• [\w-]{8} — /u.test(line)).length;
      if (!expectHeading.test(lines[0] ?? "") || listed !== expectLines) {
        throw new Error(
          `${jid}: unexpected answer to "invites" (wanted ${expectHeading}, ${expectLines} rows):\n${body}`,
        );
      }
      return elapsed;
    },
    async adhocOwn(expectRows) {
      const iq = listCommand({ action: "execute" });
      const started = performance.now();
      const answer = await request(iq, "list-invites");
      const elapsed = performance.now() - started;
      const status = answer.getChild("command", NS_COMMANDS)?.attrs.status;
      if (status !== "completed" || rowsOf(answer) !== expectRows) {
        throw new Error(`${jid}: list-invites: wanted a completed table of ${expectRows} rows: ${answer.toString()}`);
      }
      return elapsed;
    },
    async adhocAdmin(expectRows) {
      const first = listCommand({ action: "execute" });
      const started = performance.now();
      const form = await request(first, "list-invites (form stage)");
      const command = form.getChild("command", NS_COMMANDS);
      const sessionid = command?.attrs.sessionid;
      if (command?.attrs.status !== "executing" || typeof sessionid !== "string") {
        throw new Error(`${jid}: list-invites: wanted the admin's form: ${form.toString()}`);
      }
      const second = listCommand({ sessionid, action: "complete" });
      const pageStarted = performance.now();
      const answer = await request(second, "list-invites (first page)");
      const ended = performance.now();
      if (rowsOf(answer) !== expectRows) {
        throw new Error(`${jid}: list-invites: wanted a first page of ${expectRows} rows: ${answer.toString()}`);
      }
      // More pages: the session stays open for "next"; the bot keeps a few per requester and drops the oldest.
      return { page: ended - pageStarted, both: ended - started };
    },
    async ping() {
      const started = performance.now();
      await request(xml("iq", { type: "get", to: bot }, xml("ping", { xmlns: "urn:xmpp:ping" })), "ping");
      return performance.now() - started;
    },
    async stop() {
      if (xmpp.status === "offline") return;
      await withTimeout(xmpp.stop(), 3_000, "stop").catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding: RESP for redis-cli --pipe

function resp(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** A cheap deterministic spread in [0, 1) (Knuth's multiplicative hash). */
function spread(i: number, salt: number): number {
  return (((i + salt) * 2654435761) >>> 0) / 2 ** 32;
}

/**
 * Invite `i` of the seed, as the bot would have made it (src/invites/creation.ts), for one of `inviters` users:
 * mostly contact invites (some that register), some account invites, some bound to a username (index `for:`),
 * some counted reusable ones (`used:` is read for those). Created up to a day ago, expiring 1 hour to 30 days on.
 */
function seedInvite(i: number, inviters: number, now: number, token: string): Invite {
  const user = `user${String(i % inviters).padStart(6, "0")}`;
  const inviter = `${user}@${BOT_HOST}`;
  const source = `${inviter}/phone`;
  const created_at = now - Math.floor(spread(i, 1) * 86_400);
  const expires = now + 3_600 + Math.floor(spread(i, 2) * 30 * 86_400);
  const common = { token, created_at, expires, reusable: false, uri: "" } as const;
  const kind = i % 100;
  if (kind < 70) {
    return { ...common, type: "roster", jid: inviter, allow_registration: false, additional_data: { source } };
  }
  if (kind < 85) {
    return { ...common, type: "roster", jid: inviter, allow_registration: true, additional_data: { source } };
  }
  if (kind < 95) {
    return { ...common, type: "register", jid: BOT_HOST, allow_registration: true, additional_data: { source } };
  }
  if (kind < 99) {
    const username = `new${i}`;
    return {
      ...common,
      type: "register",
      jid: `${username}@${BOT_HOST}`,
      allow_registration: true,
      additional_data: { source, username, note: `for ${username}` },
    };
  }
  return {
    ...common,
    type: "register",
    jid: BOT_HOST,
    allow_registration: true,
    reusable: true,
    additional_data: { source, max_uses: 5, note: "the team" },
  };
}

/**
 * The keys the bot's queueRecordWrite writes for these invites (the record with its TTL; `pending`, `ids`,
 * `by:` and `for:` entries), in one MULTI/EXEC per batch, with one variadic ZADD per index instead of one per
 * invite: the same keys and values, a third of the commands.
 */
function seedBatch(invites: readonly Invite[], keys: SigningKeys): string[][] {
  const commands: string[][] = [["MULTI"]];
  const indexes = new Map<string, string[]>([[idsKey(BOT_HOST), ["ZADD", idsKey(BOT_HOST)]]]);
  const add = (index: string, score: string, hash: string): void => {
    let command = indexes.get(index);
    if (command === undefined) {
      command = ["ZADD", index];
      indexes.set(index, command);
    }
    command.push(score, hash);
  };
  for (const invite of invites) {
    const hash = tokenHash(invite.token);
    const record = recordOf(invite);
    const value = signRecord(keys, BOT_HOST, hash, record);
    const expiresMs = record.expires * 1000;
    commands.push(["SET", recordKey(BOT_HOST, hash), encodeEnvelope(value, expiresMs), "PXAT", String(expiresMs)]);
    for (const index of expiryIndexesOf(BOT_HOST, record)) add(index, String(record.expires), hash);
    add(idsKey(BOT_HOST), "0", hash);
  }
  commands.push(...indexes.values(), ["EXEC"]);
  return commands;
}

export interface SeedResult {
  invites: number;
  commands: number;
  seconds: number;
}

/** Writes `count` invites through `redis-cli --pipe`; fails unless every reply came back without an error. */
async function seed(
  port: number,
  settings: ListSettings,
  keys: SigningKeys,
  progress: (done: number) => void,
): Promise<SeedResult> {
  const started = performance.now();
  // As the tests' own Redis user (the default user is off, as deployed); the password through the
  // environment, not the command line.
  const cli = spawn(
    "redis-cli",
    ["-h", "127.0.0.1", "-p", String(port), "--user", TEST_REDIS_ADMIN.user, "--no-auth-warning", "--pipe"],
    { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, REDISCLI_AUTH: TEST_REDIS_ADMIN.password } },
  );
  let output = "";
  cli.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  cli.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    cli.once("error", reject);
    cli.once("exit", (code) => resolve(code));
  });
  const stdin = cli.stdin;
  stdin.on("error", () => {}); // an early exit is reported below, with redis-cli's own words
  const now = Math.floor(Date.now() / 1000);
  let commands = 0;
  const CHUNK = 500;
  for (let i = 0; i < settings.seed; i += CHUNK) {
    const invites: Invite[] = [];
    const count = Math.min(settings.seed, i + CHUNK) - i;
    // 18 random bytes per token (src/invites/token.ts), drawn for the whole batch at once.
    const random = randomBytes(18 * count);
    for (let j = 0; j < count; j++) {
      const token = random.subarray(18 * j, 18 * j + 18).toString("base64url");
      invites.push(seedInvite(i + j, settings.inviters, now, token));
    }
    let text = "";
    for (const command of seedBatch(invites, keys)) {
      text += resp(command);
      commands += 1;
    }
    if (!stdin.write(text)) await new Promise((resolve) => stdin.once("drain", resolve));
    if (i % 100_000 === 0 && i > 0) progress(i);
  }
  stdin.end();
  const code = await exited;
  const replies = /errors:\s*(\d+),\s*replies:\s*(\d+)/u.exec(output);
  if (code !== 0 || replies === null || Number(replies[1]) !== 0 || Number(replies[2]) !== commands) {
    throw new Error(`redis-cli --pipe (exit ${String(code)}) did not take all ${commands} commands:\n${output}`);
  }
  return { invites: settings.seed, commands, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------------------------

export interface StateResults {
  /** Pending invites of the host (ZCARD of the pending index) during the measurement. */
  pending: number;
  botPing: Summary;
  redisPing: Summary;
  ownChat: Summary;
  ownAdhoc: Summary;
  ownStore: Summary;
  adminChat: Summary;
  adminAdhocPage: Summary;
  adminAdhocBoth: Summary;
  adminStore: Summary;
}

export interface ListResults {
  settings: ListSettings;
  empty: StateResults;
  full: StateResults;
  /** An admin's list of one kind on the full store (no invite of it: every record up to the cap is read). */
  kindScan: Summary;
  seed: SeedResult;
  memory: { before: number; after: number; afterHuman: string };
  botRssMiB: number;
  botOnlineMs: number;
}

export interface ListBenchContext {
  build: BotBuild;
  prosody: BenchProsody;
  settings: ListSettings;
  log(text: string): void;
  /** Registers a clean-up (run newest first at the end, also on Ctrl-C). */
  defer(task: () => Promise<unknown>): void;
}

export async function runListBench(ctx: ListBenchContext): Promise<ListResults> {
  const { build, prosody, settings, log, defer } = ctx;
  const redis = await startRedis();
  defer(() => redis.stop());
  const port = Number(new URL(redis.url).port);
  for (const user of [LIST_BOT, LISTER, ADMIN]) await prosody.register(user, BOT_HOST, password(user));

  const signingKey = randomBytes(32).toString("base64url");
  const keys: SigningKeys = { current: signingKey, old: [] };
  log(`lists: starting a second bot (${LIST_BOT}@${BOT_HOST}, admin ${ADMIN}@${BOT_HOST}) on a new, empty Redis …`);
  const bot = await spawnBot(
    build.main,
    {
      XMPP_SERVICE: prosody.service,
      // This server has no registration hook of ours; the bot need not find out (docs/servers.md).
      REGISTRATION: "server",
      XMPP_DOMAIN: BOT_HOST,
      XMPP_USERNAME: LIST_BOT,
      XMPP_PASSWORD: password(LIST_BOT),
      XMPP_RESOURCE: LIST_BOT_RESOURCE,
      // The bot's ACL user (docs/security.md), as in docker-compose.yml.
      REDIS_URL: redis.botUrl,
      ADMIN_JIDS: `${ADMIN}@${BOT_HOST}`,
      INVITE_SIGNING_KEY: signingKey,
      RATE_LIMIT_BURST: "10000",
      RATE_LIMIT_PER_SECOND: "10000",
      LOG_LEVEL: "info",
    },
    30_000,
    settings.botNodeFlags,
  );
  defer(() => bot.stop());

  const raw = createClient({ url: redis.url });
  raw.on("error", () => {});
  await raw.connect();
  defer(async () => raw.destroy());

  const backend = redisBackend({
    redis: createRedisClient(redis.url, 10_000),
    host: BOT_HOST,
    timeoutMs: 10_000,
    signingKeys: keys,
    log: createLogger("warn", { write: (line: string) => log(`lists: store: ${line.trimEnd()}`) }),
  });
  backend.start();
  defer(() => backend.stop());
  await backend.ready();
  const store = backend.invites;

  const botJid = `${LIST_BOT}@${BOT_HOST}/${LIST_BOT_RESOURCE}`;
  const [lister, admin] = await Promise.all([
    connectListSession(prosody.service, LISTER, botJid),
    connectListSession(prosody.service, ADMIN, botJid),
  ]);
  defer(() => lister.stop());
  defer(() => admin.stop());

  // The user's own invites, made through the bot like any others.
  const maker = await connectInviteClient({
    service: prosody.service,
    domain: BOT_HOST,
    username: LISTER,
    password: password(LISTER),
    target: botJid,
  });
  for (let i = 0; i < settings.own; i++) await maker.createInvite();
  await maker.stop();
  const ownIndex = byInviterKey(BOT_HOST, `${LISTER}@${BOT_HOST}`);
  const ownCount = await raw.zCard(ownIndex);
  if (ownCount !== settings.own) throw new Error(`lists: ${ownIndex} holds ${ownCount} invites, not ${settings.own}`);

  const ownRows = Math.min(settings.own, PAGE_SIZE);
  const heading = (total: number, admin: boolean): RegExp => {
    const words = admin ? "Pending invites" : "Your pending invites";
    const range = total <= PAGE_SIZE ? `${total}` : `1–${PAGE_SIZE} of ${total.toLocaleString("en")}`;
    return new RegExp(`^${words} \\(${range}\\):$`, "u");
  };
  const timedRedisPing = async (): Promise<number> => {
    const started = performance.now();
    await raw.ping();
    return performance.now() - started;
  };
  const timedStore = async (inviter: string | undefined, expectRows: number, expectTotal: number): Promise<number> => {
    const started = performance.now();
    const page = await store.listPage({ ...(inviter === undefined ? {} : { inviter }), offset: 0, limit: PAGE_SIZE });
    const elapsed = performance.now() - started;
    if (page.invites.length !== expectRows || page.total !== expectTotal) {
      throw new Error(
        `lists: listPage(${inviter ?? "everyone"}) gave ${page.invites.length} of ${page.total}, wanted ${expectRows} of ${expectTotal}`,
      );
    }
    return elapsed;
  };

  const measure = async (label: string): Promise<StateResults> => {
    const pending = await raw.zCard(pendingKey(BOT_HOST));
    const adminRows = Math.min(pending, PAGE_SIZE);
    const times: Record<Exclude<keyof StateResults, "pending">, number[]> = {
      botPing: [],
      redisPing: [],
      ownChat: [],
      ownAdhoc: [],
      ownStore: [],
      adminChat: [],
      adminAdhocPage: [],
      adminAdhocBoth: [],
      adminStore: [],
    };
    const round = async (record: boolean): Promise<void> => {
      const put = (name: keyof typeof times, value: number): void => {
        if (record) times[name].push(value);
      };
      put("botPing", await lister.ping());
      put("redisPing", await timedRedisPing());
      put("ownChat", await lister.chatList(heading(settings.own, false), ownRows));
      put("ownAdhoc", await lister.adhocOwn(ownRows));
      put("ownStore", await timedStore(`${LISTER}@${BOT_HOST}`, ownRows, settings.own));
      put("adminChat", await admin.chatList(heading(pending, true), adminRows));
      const adhoc = await admin.adhocAdmin(adminRows);
      put("adminAdhocPage", adhoc.page);
      put("adminAdhocBoth", adhoc.both);
      put("adminStore", await timedStore(undefined, adminRows, pending));
    };
    log(`lists: ${label}: ${pending} pending invites; ${settings.warmupRounds} warm-up + ${settings.rounds} rounds …`);
    for (let i = 0; i < settings.warmupRounds; i++) await round(false);
    for (let i = 0; i < settings.rounds; i++) await round(true);
    const result = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, summarize(values)]));
    const r = { pending, ...result } as StateResults;
    log(
      `lists: ${label}: p50 own chat ${ms(r.ownChat.p50)}, own ad-hoc ${ms(r.ownAdhoc.p50)}, admin chat ${ms(r.adminChat.p50)}, admin page ${ms(r.adminAdhocPage.p50)}`,
    );
    return r;
  };

  const empty = await measure("empty store");
  const memoryBefore = await usedMemory(raw);

  log(
    `lists: seeding ${settings.seed.toLocaleString("en")} invites of ${settings.inviters.toLocaleString("en")} users (redis-cli --pipe) …`,
  );
  const seeded = await seed(port, settings, keys, (done) => log(`lists: … ${done.toLocaleString("en")} generated`));
  const pendingNow = await raw.zCard(pendingKey(BOT_HOST));
  const idsNow = await raw.zCard(idsKey(BOT_HOST));
  const expected = settings.seed + settings.own;
  if (pendingNow !== expected || idsNow !== expected) {
    throw new Error(`lists: after seeding, pending holds ${pendingNow} and ids ${idsNow}; wanted ${expected} in both`);
  }
  // One seeded inviter, through the bot's own store code: signatures and indexes as the bot reads them.
  const sample = await store.listPage({ inviter: `user000007@${BOT_HOST}`, offset: 0, limit: PAGE_SIZE });
  const perInviter = Math.ceil(settings.seed / settings.inviters);
  if (sample.total !== perInviter || sample.invites.length !== Math.min(perInviter, PAGE_SIZE)) {
    throw new Error(
      `lists: user000007 has ${sample.invites.length} of ${sample.total} verified invites, not ${perInviter}`,
    );
  }
  const memoryAfter = await usedMemory(raw);
  log(
    `lists: seeded in ${seeded.seconds.toFixed(1)} s (${(seeded.invites / seeded.seconds).toFixed(0)}/s); ZCARD pending = ${pendingNow}; used_memory ${memoryAfter.human}`,
  );

  const full = await measure(`${settings.seed.toLocaleString("en")} others`);
  const kindScan = await measureKindScan(store, full.pending, log);

  const botRssMiB = bot.memory().rssMiB;
  const counts = bot.logCounts();
  await lister.stop();
  await admin.stop();
  const exitCode = await bot.stop();
  if (exitCode !== 0) throw new Error(`the list bot exited with code ${String(exitCode)} on SIGTERM:\n${bot.output()}`);
  if ((counts.WARN ?? 0) + (counts.ERROR ?? 0) > 0) {
    throw new Error(`the list bot logged warnings or errors during the run:\n${bot.output()}`);
  }
  return {
    settings,
    empty,
    full,
    kindScan,
    seed: seeded,
    memory: { before: memoryBefore.bytes, after: memoryAfter.bytes, afterHuman: memoryAfter.human },
    botRssMiB,
    botOnlineMs: bot.onlineMs,
  };
}

/** Rounds of the one-kind list: each reads up to MAX_KIND_SCAN records, so a few are enough. */
const KIND_SCAN_ROUNDS = 5;

/** The admin's list of reset links (none seeded) through the store: the worst case of a one-kind list. */
async function measureKindScan(store: InviteStore, pending: number, log: (text: string) => void): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i < KIND_SCAN_ROUNDS; i++) {
    const started = performance.now();
    const page = await store.listPage({ kind: "reset", offset: 0, limit: PAGE_SIZE });
    times.push(performance.now() - started);
    if (page.total !== 0) throw new Error(`lists: listPage(kind reset) found ${page.total}, wanted none`);
  }
  log(`lists: one kind over ${Math.min(pending, MAX_KIND_SCAN)} records: p50 ${ms(summarize(times).p50)}`);
  return summarize(times);
}

async function usedMemory(raw: { info(section: string): Promise<string> }): Promise<{ bytes: number; human: string }> {
  const info = await raw.info("memory");
  return {
    bytes: Number(/^used_memory:(\d+)/mu.exec(info)?.[1] ?? Number.NaN),
    human: /^used_memory_human:(\S+)/mu.exec(info)?.[1] ?? "?",
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const pair = (s: Summary): string => `${s.p50.toFixed(2)} / ${s.p95.toFixed(2)} ms`;
const MB = 1e6;

export function listReport(r: ListResults): string {
  const { empty, full, settings } = r;
  const n = settings.seed.toLocaleString("en");
  type Row = [string, string, string, string];
  const ratioOf = (a: Summary, b: Summary): string => `${(b.p50 / a.p50).toFixed(2)}×`;
  const row = (label: string, pick: (s: StateResults) => Summary, ratio = true): Row => [
    label,
    pair(pick(empty)),
    pair(pick(full)),
    ratio ? ratioOf(pick(empty), pick(full)) : "",
  ];
  const rows: Row[] = [
    ["p50 / p95", "empty store", `${n} others`, "p50 ratio"],
    ["pending invites of the host (ZCARD)", String(empty.pending), String(full.pending), ""],
    [`reference, sequential, n=${empty.botPing.count}`, "", "", ""],
    row("  XMPP ping to the bot", (s) => s.botPing),
    row("  Redis PING from a node-redis client", (s) => s.redisPing),
    [`own list: ${LISTER}, ${settings.own} invites of their own`, "", "", ""],
    row('  chat "invites" (answer in one message)', (s) => s.ownChat),
    row("  ad-hoc list-invites (one stage)", (s) => s.ownAdhoc),
    row("  store.listPage alone (no XMPP)", (s) => s.ownStore),
    [`admin's first page: ${PAGE_SIZE} of everyone's`, "", "", ""],
    row('  chat "invites"', (s) => s.adminChat),
    row("  ad-hoc list-invites: the page (complete, no form)", (s) => s.adminAdhocPage),
    row("  ad-hoc list-invites: form + page", (s) => s.adminAdhocBoth),
    row("  store.listPage alone (no XMPP)", (s) => s.adminStore),
    [
      `  store.listPage of one kind (reads ≤ ${MAX_KIND_SCAN.toLocaleString("en")} records), n=${r.kindScan.count}`,
      "",
      pair(r.kindScan),
      "",
    ],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((x) => x[i]?.length ?? 0)));
  const line = (x: readonly string[]): string =>
    x
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("   ")
      .trimEnd();

  const verdict = (ok: boolean): string => (ok ? "PASS" : "MISS");
  const targets: Array<[string, string, boolean]> = [];
  for (const [what, pick] of [
    ['chat "invites"', (s: StateResults) => s.ownChat],
    ["ad-hoc", (s: StateResults) => s.ownAdhoc],
  ] as const) {
    targets.push([
      `own list p50 ≤ ${LIST_TARGETS.ownP50Ms} ms with ${n} others (${what})`,
      ms(pick(full).p50),
      pick(full).p50 <= LIST_TARGETS.ownP50Ms,
    ]);
    const ratio = pick(full).p50 / pick(empty).p50;
    targets.push([
      `own list p50 ≤ ${LIST_TARGETS.ownRatio}× the empty store's (${what})`,
      `${ratio.toFixed(2)}×`,
      ratio <= LIST_TARGETS.ownRatio,
    ]);
  }
  for (const [what, pick] of [
    ['chat "invites"', (s: StateResults) => s.adminChat],
    ["ad-hoc page", (s: StateResults) => s.adminAdhocPage],
  ] as const) {
    targets.push([
      `admin's first page p50 ≤ ${LIST_TARGETS.adminP50Ms} ms with ${n} (${what})`,
      ms(pick(full).p50),
      pick(full).p50 <= LIST_TARGETS.adminP50Ms,
    ]);
  }
  const targetWidth = Math.max(...targets.map(([what]) => what.length));
  const perInvite = (r.memory.after - r.memory.before) / r.seed.invites;
  return [
    "",
    `Listing pending invites through the bot (layout v3): ${LISTER}@${BOT_HOST} and the admin ${ADMIN}@${BOT_HOST} → ${LIST_BOT}@${BOT_HOST}/${LIST_BOT_RESOURCE}`,
    `seed: ${n} invites of ${settings.inviters.toLocaleString("en")} other users (signed records + indexes, one MULTI/EXEC per 500, redis-cli --pipe): ${r.seed.seconds.toFixed(1)} s = ${(r.seed.invites / r.seed.seconds).toFixed(0)} invites/s`,
    `Redis used_memory: ${(r.memory.before / MB).toFixed(1)} MB before, ${(r.memory.after / MB).toFixed(1)} MB (${r.memory.afterHuman}) after = ${perInvite.toFixed(0)} bytes per invite`,
    `list bot: online ${r.botOnlineMs.toFixed(0)} ms after spawn, RSS ${r.botRssMiB.toFixed(1)} MiB after the phase`,
    "",
    ...rows.map(line),
    "",
    "targets",
    ...targets.map(([what, value, ok]) => `  ${what.padEnd(targetWidth)}   ${value.padStart(8)}   ${verdict(ok)}`),
    "",
  ].join("\n");
}
