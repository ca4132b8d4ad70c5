/**
 * The soak phase of `npm run bench` (issue 26, docs/benchmarks.md "Memory over a soak"): the bot (`node
 * dist/main.js`, web pages on) under a steady mix for BENCH_SOAK_S (600) seconds — a user's contact invite over
 * XMPP (XEP-0050), the new invite's page (drawn afresh), an earlier invite's page (from the QR cache or not) and an
 * XMPP ping — BENCH_SOAK_RATE (50) rounds a second. The bot's resident memory is read every 10 s; the first
 * minute is its warm-up and not judged.
 *
 * Target: flat, every reading after the warm-up within ±5 MB of the first one after it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { invitePagePath } from "../src/invites/uri.js";
import { startServers } from "../test/helpers/servers.js";
import { type BuiltBotContext, UNLIMITED_BOT_ENV } from "./bench-bot.js";
import { connectInviteClient } from "./bench-load.js";
import { spawnWebBot } from "./bench-web.js";

export const SOAK_TARGETS = { driftMB: 5 } as const;
const HOST = "localhost";
const USER = "alice";
const RESOURCE = "soak";
const SAMPLE_EVERY_S = 10;
const WARMUP_S = 60;
const MB = 1e6;
const MIB = 1024 * 1024;

export interface SoakSettings {
  seconds: number;
  rate: number;
}

export type SoakContext = BuiltBotContext<SoakSettings>;

export interface SoakResult {
  settings: SoakSettings;
  rounds: number;
  /** [seconds since the start, RSS in MiB] every SAMPLE_EVERY_S. */
  samples: Array<[number, number]>;
}

async function getPage(url: string, token: string): Promise<void> {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200 || !body.includes(token)) throw new Error(`${url}: HTTP ${response.status}`);
}

export async function runSoakBench(context: SoakContext): Promise<SoakResult> {
  const { settings, log, defer } = context;
  log("soak: starting Prosody and Redis …");
  const servers = await startServers({}, { inviteModule: true });
  defer(() => servers.stop());
  for (const name of ["bot", USER]) await servers.prosody.register(name, HOST, `${name}-password`);
  const bot = await spawnWebBot(context, servers.service, servers.redisUrl, {
    ...UNLIMITED_BOT_ENV,
    XMPP_RESOURCE: RESOURCE,
    ALLOW_CONTACT_INVITES: "true",
  });
  const client = await connectInviteClient({
    service: servers.service,
    domain: HOST,
    username: USER,
    password: `${USER}-password`,
    target: `bot@${HOST}/${RESOURCE}`,
  });
  defer(() => client.stop());

  const tokens: string[] = [];
  const round = async (): Promise<void> => {
    const token = await client.createInviteToken();
    tokens.push(token);
    await getPage(`${bot.webUrl}${invitePagePath(token)}`, token);
    const earlier = tokens[Math.floor(Math.random() * tokens.length)] as string;
    await getPage(`${bot.webUrl}${invitePagePath(earlier)}`, earlier);
    await client.ping();
  };

  log(`soak: ${settings.seconds} s of ${settings.rate} rounds a second (invite, its page, an earlier page, ping) …`);
  const started = performance.now();
  const samples: Array<[number, number]> = [];
  let rounds = 0;
  let nextSample = 0;
  const intervalMs = 1000 / settings.rate;
  while (performance.now() - started < settings.seconds * 1000) {
    const due = started + rounds * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    await round();
    rounds += 1;
    const elapsedS = (performance.now() - started) / 1000;
    if (elapsedS >= nextSample) {
      samples.push([elapsedS, bot.memory().rssMiB]);
      if (nextSample % 60 === 0)
        log(`soak: ${elapsedS.toFixed(0)} s, ${rounds} rounds, RSS ${bot.memory().rssMiB.toFixed(1)} MiB`);
      nextSample += SAMPLE_EVERY_S;
    }
  }
  return { settings, rounds, samples };
}

export function soakReport(r: SoakResult): string {
  const judged = r.samples.filter(([at]) => at >= WARMUP_S).map(([, rss]) => rss);
  const baseline = judged[0] ?? Number.NaN;
  const driftMB = Math.max(...judged.map((rss) => Math.abs(rss - baseline))) * (MIB / MB);
  const ok = judged.length > 1 && driftMB <= SOAK_TARGETS.driftMB;
  const series = r.samples.map(([at, rss]) => `${at.toFixed(0)} s ${rss.toFixed(1)}`).join(", ");
  return [
    "",
    `Soak: ${r.settings.seconds} s, ${r.rounds} rounds (contact invite, its page afresh, an earlier page, ping), ${r.settings.rate}/s`,
    `  the bot's RSS (MiB), every ${SAMPLE_EVERY_S} s: ${series}`,
    `  after the first ${WARMUP_S} s: from ${baseline.toFixed(1)} MiB, lowest ${Math.min(...judged).toFixed(1)}, highest ${Math.max(...judged).toFixed(1)}`,
    `  flat: every reading within ±${SOAK_TARGETS.driftMB} MB of the first after the warm-up: ${driftMB.toFixed(1)} MB ${ok ? "PASS" : "MISS"}`,
  ].join("\n");
}
