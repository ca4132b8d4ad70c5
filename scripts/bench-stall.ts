/**
 * The stall phase of `npm run bench` (docs/benchmarks.md, "Prosody and a slow or hanging Redis"): how long
 * another user waits for Prosody's answer to an XEP-0199 ping while Redis hangs or is far away and clients
 * keep asking Prosody's invite module to check invites. Target: p95 ≤ 20 ms and max ≤ 100 ms in every scenario.
 *
 * A private Prosody with prosody/ (or another copy of it, BENCH_STALL_MODULE_DIR, to measure an older version)
 * and a private Redis, reached by Prosody through a loopback proxy that adds the delay of a Redis further away
 * (test/helpers/redis-proxy.ts). "Hanging" is the Redis process stopped with SIGSTOP: connections stay open
 * and nothing is answered. Per scenario, for BENCH_STALL_SECONDS (10): one user pings the server 20 times a
 * second (each ping waited for), while:
 *
 * - healthy: nothing else;
 * - hanging + preauth 10/s: Redis hangs; one unauthenticated stream sends a preauth IQ every 100 ms;
 * - hanging + registrant retrying: Redis hangs after a preauth succeeded; the registrant sends its registration
 *   again 100 ms after each answer;
 * - 5 ms away + preauth 200/s: the proxy adds 2.5 ms each way; ten unauthenticated streams send 20 preauth IQs
 *   a second each, with unknown (well-formed) tokens.
 *
 * Every unauthenticated stream comes from a loopback address of its own (127.0.x.y), as separate clients would.
 *
 * Each scenario runs twice: with the module's default rate limits for invite checks, and with them raised out of
 * the way (so that what is measured is the I/O itself, not the limit that refuses most of the load).
 */
import { randomBytes } from "node:crypto";
import { type Element, xml } from "@xmpp/xml";
import { errorOf } from "../test/helpers/adhoc-client.js";
import { type IbrSession, openIbrSession } from "../test/helpers/ibr-client.js";
import { recordWith, writeRawRecord } from "../test/helpers/raw-records.js";
import { rawRedisClient } from "../test/helpers/scenario.js";
import { startServers, type TestServers } from "../test/helpers/servers.js";
import { tcpExchange } from "../test/helpers/tcp.js";
import { connectUser, type TestUser } from "../test/helpers/xmpp-user.js";
import { percentile } from "./bench-load.js";

export const STALL_TARGETS = { p95Ms: 20, maxMs: 100 } as const;

export interface StallSettings {
  seconds: number;
  /** The prosody/ folder to load; the repository's when undefined. */
  moduleDir: string | undefined;
}

export interface StallContext {
  settings: StallSettings;
  log(text: string): void;
  defer(task: () => Promise<unknown>): void;
}

export interface PingStats {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface StallRow {
  limits: "default" | "raised";
  scenario: string;
  pings: PingStats;
  /** What the load's requests got back: "result", "forbidden", "policy-violation", … → count. */
  answers: Record<string, number>;
}

export interface StallResults {
  moduleDir: string;
  /** Round trip of a Redis PING through the proxy in the far-away scenario, new connection included, ms (median of 20). */
  farRttMs: number;
  rows: StallRow[];
}

const PING_EVERY_MS = 50;
const RAISED = ["invites_redis_checks_per_minute = 100000", "invites_redis_checks_per_second = 100000"];
// The module's own defaults (docs/prosody.md), set again because the test configuration raises them.
const DEFAULTS = ["invites_redis_checks_per_minute = 10", "invites_redis_checks_per_second = 50"];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const unknownToken = (): string => randomBytes(18).toString("base64url");

/** Pings the server sequentially, one every PING_EVERY_MS (or at once when the last took longer), until `stop`. */
async function pingUntil(user: TestUser, stop: Promise<void>): Promise<PingStats> {
  let running = true;
  void stop.then(() => {
    running = false;
  });
  const times: number[] = [];
  while (running) {
    const started = performance.now();
    await user.request(xml("iq", { type: "get", to: "localhost" }, xml("ping", { xmlns: "urn:xmpp:ping" })), 10_000);
    const took = performance.now() - started;
    times.push(took);
    if (took < PING_EVERY_MS) await sleep(PING_EVERY_MS - took);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** What an IQ reply says in one word: "result" or its error condition. */
function answerOf(reply: Element): string {
  return reply.attrs.type === "result" ? "result" : (errorOf(reply).condition ?? "error");
}

/** Runs `request` every `everyMs` without waiting for the answers, until `stop`; counts the answers. */
async function fire(
  request: () => Promise<Element>,
  everyMs: number,
  stop: Promise<void>,
  answers: Record<string, number>,
): Promise<void> {
  let running = true;
  void stop.then(() => {
    running = false;
  });
  const pending: Promise<void>[] = [];
  while (running) {
    pending.push(
      request().then(
        (reply) => {
          const word = answerOf(reply);
          answers[word] = (answers[word] ?? 0) + 1;
        },
        () => {
          answers["no answer"] = (answers["no answer"] ?? 0) + 1;
        },
      ),
    );
    await sleep(everyMs);
  }
  await Promise.all(pending);
}

interface Stage {
  servers: TestServers;
  pinger: TestUser;
  redis: ReturnType<typeof rawRedisClient>;
  sessions: IbrSession[];
  /** Sessions opened so far: each comes from an address of its own (127.0.x.y), so that per-address limits apply to it alone. */
  opened: number;
}

async function openSession(stage: Stage): Promise<IbrSession> {
  const n = stage.opened++;
  const localAddress = `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  const session = await openIbrSession({ port: stage.servers.prosody.port, domain: "localhost", localAddress });
  stage.sessions.push(session);
  return session;
}

/** Resumes Redis and waits until a preauth with a real invite works again (the breaker has let one through). */
async function recover(stage: Stage): Promise<void> {
  stage.servers.redis.resume();
  const token = await writeRawRecord(stage.redis, recordWith());
  const deadline = Date.now() + 20_000;
  for (;;) {
    const reply = await (await openSession(stage)).preauth(token);
    if (reply.attrs.type === "result") return;
    if (Date.now() > deadline) throw new Error(`the module did not recover: ${reply.toString()}`);
    await sleep(200);
  }
}

async function scenario(
  stage: Stage,
  seconds: number,
  load: (stop: Promise<void>, answers: Record<string, number>) => Promise<void>,
): Promise<{ pings: PingStats; answers: Record<string, number> }> {
  const answers: Record<string, number> = {};
  const stop = sleep(seconds * 1000);
  const [pings] = await Promise.all([pingUntil(stage.pinger, stop), load(stop, answers)]);
  return { pings, answers };
}

async function runStage(ctx: StallContext, limits: "default" | "raised", results: StallResults): Promise<void> {
  const { seconds, moduleDir } = ctx.settings;
  const servers = await startServers(
    {},
    {
      inviteModule: true,
      redisProxy: true,
      moduleConfig: [...(limits === "raised" ? RAISED : DEFAULTS), "invites_redis_timeout = 0.25"].join("\n"),
      ...(moduleDir === undefined ? {} : { moduleDir }),
    },
  );
  ctx.defer(() => servers.stop());
  await servers.prosody.register("pinger", "localhost", "pinger-password");
  const pinger = await connectUser({
    service: servers.service,
    domain: "localhost",
    username: "pinger",
    password: "pinger-password",
  });
  ctx.defer(() => pinger.stop());
  const redis = rawRedisClient(servers.redis.url);
  redis.on("error", () => {});
  await redis.connect();
  ctx.defer(async () => redis.destroy());
  const stage: Stage = { servers, pinger, redis, sessions: [], opened: 0 };
  ctx.defer(() => Promise.allSettled(stage.sessions.map((s) => s.close())));
  const proxy = servers.redisProxy;
  if (proxy === undefined) throw new Error("no Redis proxy");
  const row = (scenarioName: string, measured: { pings: PingStats; answers: Record<string, number> }): void => {
    results.rows.push({ limits, scenario: scenarioName, ...measured });
    const { p50, p95, max } = measured.pings;
    ctx.log(
      `${limits} limits, ${scenarioName}: ping p50 ${p50.toFixed(1)} / p95 ${p95.toFixed(1)} / max ${max.toFixed(1)} ms`,
    );
  };

  if (limits === "default") row("healthy", await scenario(stage, seconds, async () => {}));

  servers.redis.pause();
  const flooder = await openSession(stage);
  row(
    "hanging + preauth 10/s",
    await scenario(stage, seconds, (stop, answers) =>
      fire(() => flooder.preauth(unknownToken(), 30_000), 100, stop, answers),
    ),
  );
  await recover(stage);

  const registrant = await openSession(stage);
  const token = await writeRawRecord(redis, recordWith());
  const validated = await registrant.preauth(token);
  if (validated.attrs.type !== "result") throw new Error(`preauth before the outage failed: ${validated.toString()}`);
  servers.redis.pause();
  row(
    "hanging + registrant retrying",
    await scenario(stage, seconds, async (stop, answers) => {
      let running = true;
      void stop.then(() => {
        running = false;
      });
      while (running) {
        const reply = await registrant.register(`retry-${unknownToken().slice(0, 8).toLowerCase()}`, "pw", 30_000);
        const word = answerOf(reply);
        answers[word] = (answers[word] ?? 0) + 1;
        await sleep(100);
      }
    }),
  );
  await recover(stage);

  proxy.delayMs = 2.5;
  const rtts: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await tcpExchange(proxy.port, "*1\r\n$4\r\nPING\r\n", (received) => received.includes("\r\n"));
    rtts.push(performance.now() - started);
  }
  const flooders = await Promise.all(Array.from({ length: 10 }, () => openSession(stage)));
  row(
    "5 ms away + preauth 200/s",
    await scenario(stage, seconds, (stop, answers) =>
      Promise.all(flooders.map((s) => fire(() => s.preauth(unknownToken(), 30_000), 50, stop, answers))).then(() => {}),
    ),
  );
  proxy.delayMs = 0;
  results.farRttMs = percentile(
    [...rtts].sort((a, b) => a - b),
    50,
  );
}

export async function runStallBench(ctx: StallContext): Promise<StallResults> {
  const results: StallResults = { moduleDir: ctx.settings.moduleDir ?? "prosody/", farRttMs: Number.NaN, rows: [] };
  for (const limits of ["default", "raised"] as const) {
    ctx.log(`stall phase, ${limits} rate limits: ${ctx.settings.seconds} s per scenario …`);
    await runStage(ctx, limits, results);
  }
  return results;
}

export function stallReport(results: StallResults): string {
  const verdict = (p: PingStats): string =>
    p.p95 <= STALL_TARGETS.p95Ms && p.max <= STALL_TARGETS.maxMs ? "PASS" : "MISS";
  const lines = [
    `Prosody with a slow or hanging Redis: another user's ping round trip (module: ${results.moduleDir})`,
    `target: p95 ≤ ${STALL_TARGETS.p95Ms} ms and max ≤ ${STALL_TARGETS.maxMs} ms; a PING to the far Redis took ${results.farRttMs.toFixed(1)} ms (median, with its TCP connect)`,
    "",
    "limits   scenario                        pings   p50 ms   p95 ms   max ms  target  the load's answers",
  ];
  for (const row of results.rows) {
    const answers = Object.entries(row.answers)
      .map(([word, count]) => `${word} ${count}`)
      .join(", ");
    lines.push(
      [
        row.limits.padEnd(8),
        row.scenario.padEnd(31),
        String(row.pings.count).padStart(5),
        row.pings.p50.toFixed(1).padStart(8),
        row.pings.p95.toFixed(1).padStart(8),
        row.pings.max.toFixed(1).padStart(8),
        verdict(row.pings).padStart(7),
        ` ${answers === "" ? "-" : answers}`,
      ].join(" "),
    );
  }
  return lines.join("\n");
}
