/**
 * The web phase of `npm run bench` (docs/benchmarks.md, "Invite web pages"): the landing page of one account
 * invite served by the bot (its own process, `node dist/main.js` with WEB_LISTEN) and by Prosody's community
 * mod_invites_page (Debian's prosody-modules) on the same private Prosody, reading the same invite from the same
 * Redis through our module. For each: requests per second and latency with 16 clients in flight for
 * BENCH_WEB_SECONDS (10), keep-alive connections, every answer checked (status 200, the token in the page).
 * Then registrations through the bot's page, one after another (BENCH_WEB_REGISTRATIONS, 50): the POST of the
 * form, from sending it to the success page (the account made over XMPP in between), and the whole visit (landing
 * page, form, POST). Then the bot's resident memory.
 *
 * Targets: the bot's landing page at least 2× Prosody's throughput at a p50 no worse than Prosody's; a
 * registration's p50 ≤ 100 ms; the bot's RSS ≤ 100 MB after the run.
 */
import { Agent, request } from "node:http";
import { invitePagePath } from "../src/invites/uri.js";
import { freePort } from "../test/helpers/ports.js";
import { recordWith, writeRawRecord } from "../test/helpers/raw-records.js";
import { rawRedisClient } from "../test/helpers/scenario.js";
import { startServers, type TestServers } from "../test/helpers/servers.js";
import { BOT_SIGNING_ENV } from "../test/helpers/signing.js";
import { WebVisitor } from "../test/helpers/web-client.js";
import type { BotBuild, BotProcess } from "./bench-bot.js";
import { spawnBot } from "./bench-bot.js";
import { percentile } from "./bench-load.js";

export const WEB_TARGETS = { throughputRatio: 2, registrationP50Ms: 100, rssMiB: 100 } as const;
const CONCURRENCY = 16;
const BOT_USER = "bot";
/** More invites than the bot's QR cache holds (src/web/qr.ts), so that every page is drawn afresh. */
const FRESH_INVITES = 3_000;

export interface WebSettings {
  seconds: number;
  registrations: number;
}

export interface WebContext {
  settings: WebSettings;
  build: BotBuild;
  /** The bot's `node` flags, those of `npm start` unless BENCH_BOT_NODE_FLAGS says otherwise. */
  nodeFlags: readonly string[];
  log(text: string): void;
  defer(task: () => Promise<unknown>): void;
}

export interface LoadStats {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export interface WebResult {
  bot: LoadStats;
  prosody: LoadStats;
  /** The same with another invite for every request (no cache helps). */
  botFresh: LoadStats;
  prosodyFresh: LoadStats;
  /** The POST alone, and the whole visit, in ms. */
  registration: { count: number; postP50: number; postP99: number; visitP50: number };
  rssMiB: number;
  peakMiB: number;
}

/** A page to ask for, and a text its answer must contain. */
type Target = () => { url: string; expect: string };

/** GETs `target()` with `clients` in flight for `seconds`; every answer must be 200 and contain its text. */
async function load(target: Target, seconds: number, clients = CONCURRENCY): Promise<LoadStats> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const get = () =>
    new Promise<void>((resolve, reject) => {
      const { url, expect } = target();
      const started = performance.now();
      request(url, { agent }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => {
          if (response.statusCode !== 200 || !body.includes(expect)) {
            reject(new Error(`${url}: HTTP ${response.statusCode}, ${body.length} bytes:\n${body.slice(0, 500)}`));
            return;
          }
          latencies.push(performance.now() - started);
          resolve();
        });
      })
        .on("error", reject)
        .end();
    });
  // A short warm-up on the same connections, not counted.
  await Promise.all(Array.from({ length: clients }, () => get()));
  latencies.length = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) await get();
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export async function runWebBench(context: WebContext): Promise<WebResult> {
  const { settings, log, defer } = context;
  const prosodyHttp = await freePort();
  log("web: starting Prosody (with mod_invites_page from prosody-modules) and Redis …");
  const servers: TestServers = await startServers(
    {},
    {
      inviteModule: true,
      moreModules: ["http", "invites_page", "register_apps"],
      moduleConfig: [
        `http_ports = { ${prosodyHttp} }`,
        'http_interfaces = { "127.0.0.1" }',
        "https_ports = { }",
        'http_default_host = "localhost"',
        'site_name = "Bench"',
      ].join("\n"),
    },
  );
  defer(() => servers.stop());
  await servers.prosody.register(BOT_USER, "localhost", `${BOT_USER}-password`);
  const redis = rawRedisClient(servers.redis.url);
  await redis.connect();
  defer(async () => redis.destroy());

  log("web: starting the bot with its web pages (node dist/main.js) …");
  const { webUrl, output, memory: botMemory } = await spawnWebBot(context, servers.service, servers.redisUrl);

  // One account invite, read by both pages from the same Redis; and many, for a new one every request.
  const token = await writeRawRecord(redis, recordWith());
  const many = await Promise.all(Array.from({ length: FRESH_INVITES }, () => writeRawRecord(redis, recordWith())));
  const botPage = (t: string) => ({ url: `${webUrl}${invitePagePath(t)}`, expect: t });
  const prosodyPage = (t: string) => ({ url: `http://127.0.0.1:${prosodyHttp}/invites_page?${t}`, expect: t });
  const roundRobin = (page: (t: string) => { url: string; expect: string }): Target => {
    let next = 0;
    return () => page(many[next++ % many.length] ?? token);
  };
  log(`web: the bot's landing page, ${CONCURRENCY} clients, ${settings.seconds} s …`);
  const botStats = await load(() => botPage(token), settings.seconds);
  log(`web: Prosody's mod_invites_page, ${CONCURRENCY} clients, ${settings.seconds} s …`);
  const prosodyStats = await load(() => prosodyPage(token), settings.seconds);
  log(`web: both again with another of ${FRESH_INVITES} invites for every request …`);
  const botFresh = await load(roundRobin(botPage), settings.seconds);
  const prosodyFresh = await load(roundRobin(prosodyPage), settings.seconds);

  log(`web: ${settings.registrations} registrations through the bot's page …`);
  const registration = registrationStats(
    await registrations({
      webUrl,
      count: settings.registrations,
      newInvite: () => writeRawRecord(redis, recordWith()),
      botOutput: output,
    }),
  );
  const memory = botMemory();
  return {
    bot: botStats,
    prosody: prosodyStats,
    botFresh,
    prosodyFresh,
    registration,
    rssMiB: memory.rssMiB,
    peakMiB: memory.peakMiB,
  };
}

/**
 * The bot in its own process (`node dist/main.js`) with its web pages on a free loopback port, the per-address
 * limits raised out of the way (every request of a benchmark comes from 127.0.0.1: they count, not refuse).
 */
export async function spawnWebBot(
  context: { build: BotBuild; nodeFlags: readonly string[]; defer(task: () => Promise<unknown>): void },
  service: string,
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<{ webUrl: string; output: BotProcess["output"]; memory: BotProcess["memory"]; stop: BotProcess["stop"] }> {
  const port = await freePort();
  const webUrl = `http://127.0.0.1:${port}`;
  const bot = await spawnBot(
    context.build.main,
    {
      XMPP_SERVICE: service,
      XMPP_DOMAIN: "localhost",
      XMPP_USERNAME: BOT_USER,
      XMPP_PASSWORD: `${BOT_USER}-password`,
      REDIS_URL: redisUrl,
      ADMIN_JIDS: "admin@localhost",
      // spawnBot waits for the "Online" line (info); the pages log nothing per request at that level.
      LOG_LEVEL: "info",
      WEB_LISTEN: `127.0.0.1:${port}`,
      WEB_URL: webUrl,
      WEB_VIEWS_PER_MINUTE: "1000000",
      WEB_ATTEMPTS_PER_10_MINUTES: "1000000",
      ...BOT_SIGNING_ENV,
      ...env,
    },
    30_000,
    context.nodeFlags,
  );
  context.defer(() => bot.stop());
  return { webUrl, output: (lines = 20) => bot.output(lines), memory: () => bot.memory(), stop: () => bot.stop() };
}

export interface RegistrationStats {
  count: number;
  postP50: number;
  postP99: number;
  visitP50: number;
}

export interface RegistrationSamples {
  /** The POST of the form, from sending it to the success page, in ms. */
  posts: number[];
  /** The whole visit: landing page, form, POST. */
  visits: number[];
}

export function registrationStats({ posts, visits }: RegistrationSamples): RegistrationStats {
  const sortedPosts = [...posts].sort((a, b) => a - b);
  const sortedVisits = [...visits].sort((a, b) => a - b);
  return {
    count: posts.length,
    postP50: percentile(sortedPosts, 50),
    postP99: percentile(sortedPosts, 99),
    visitP50: percentile(sortedVisits, 50),
  };
}

/** `count` registrations through the bot's page, one after another, each with a new account invite. */
export async function registrations(
  options: { webUrl: string; count: number; newInvite: () => Promise<string>; botOutput: () => string },
  into: RegistrationSamples = { posts: [], visits: [] },
): Promise<RegistrationSamples> {
  const { webUrl } = options;
  const { posts, visits } = into;
  for (let i = 0; i < options.count; i += 1) {
    const invite = await options.newInvite();
    const visitor = new WebVisitor(webUrl);
    const visitStarted = performance.now();
    const landing = await visitor.get(`${webUrl}${invitePagePath(invite)}`);
    const form = await visitor.follow(landing, "create-account");
    const username = `bench${i}x${Date.now() % 100_000}`;
    const postStarted = performance.now();
    const done = await visitor.submit(form, { username, password: "bench-password", password_again: "bench-password" });
    const ended = performance.now();
    if (done.status !== 200 || !done.body.includes(`${username}@localhost`)) {
      throw new Error(
        `registration ${i} failed: HTTP ${done.status}\n${done.body.slice(0, 800)}\n${options.botOutput()}`,
      );
    }
    posts.push(ended - postStarted);
    visits.push(ended - visitStarted);
  }
  return into;
}

function verdict(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

export function webReport(result: WebResult): string {
  const { bot, prosody, registration } = result;
  const ratio = bot.perSecond / prosody.perSecond;
  const row = (name: string, stats: LoadStats) =>
    `  ${name.padEnd(26)}${stats.perSecond.toFixed(0).padStart(8)} req/s   p50 ${stats.p50.toFixed(2).padStart(7)} ms   p99 ${stats.p99.toFixed(2).padStart(7)} ms   (${stats.requests} requests)`;
  return [
    "",
    `Invite web pages: one account invite's landing page, ${CONCURRENCY} clients in flight`,
    row("the bot", bot),
    row("Prosody mod_invites_page", prosody),
    `  throughput bot/Prosody: ${ratio.toFixed(2)}×  (target ≥ ${WEB_TARGETS.throughputRatio}×) ${verdict(ratio >= WEB_TARGETS.throughputRatio)}`,
    `  p50 bot vs Prosody: ${bot.p50.toFixed(2)} vs ${prosody.p50.toFixed(2)} ms  (target: no worse) ${verdict(bot.p50 <= prosody.p50)}`,
    `Another of ${FRESH_INVITES} invites for every request (nothing cached)`,
    row("the bot", result.botFresh),
    row("Prosody mod_invites_page", result.prosodyFresh),
    `  throughput bot/Prosody: ${(result.botFresh.perSecond / result.prosodyFresh.perSecond).toFixed(2)}×`,
    `Registration through the bot's page (${registration.count}, one after another)`,
    `  POST to success page: p50 ${registration.postP50.toFixed(1)} ms, p99 ${registration.postP99.toFixed(1)} ms  (target p50 ≤ ${WEB_TARGETS.registrationP50Ms} ms) ${verdict(registration.postP50 <= WEB_TARGETS.registrationP50Ms)}`,
    `  whole visit (landing page, form, POST): p50 ${registration.visitP50.toFixed(1)} ms`,
    `The bot's memory after the run: RSS ${result.rssMiB.toFixed(1)} MiB (peak ${result.peakMiB.toFixed(1)})  (target ≤ ${WEB_TARGETS.rssMiB} MB) ${verdict(result.rssMiB * 1.048576 <= WEB_TARGETS.rssMiB)}`,
  ].join("\n");
}
