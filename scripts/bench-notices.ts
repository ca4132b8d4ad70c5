/**
 * The notices phase of `npm run bench` (issue 26, docs/benchmarks.md "Use notices in a burst"): BENCH_NOTICES_USES
 * (10,000) registrations' use events land in the stream at once, as Prosody's module writes them (XADD, signed),
 * spread over BENCH_NOTICES_INVITERS (1,000) inviters, 10 each: as many as one inviter is told one by one in a
 * minute before the rest wait for a summary (src/notifications/consumer.ts), so that every use gets its own notice.
 * The inviters are offline; Prosody keeps the notices for them (mod_offline). Measured: the time
 * from the first entry written until the bot's consumer group has read and acknowledged every entry (XINFO GROUPS:
 * lag 0, pending 0), and the notices it sent (its /metrics). The events are written directly rather than by 10,000
 * real registrations: Prosody itself registers far fewer than that in 30 s on this machine, and what is measured
 * here is the bot's side.
 *
 * Target: every use told within 30 s, no entry left pending.
 */
import { eventTag } from "../src/storage/event-tag.js";
import { eventsKey } from "../src/storage/keys.js";
import { freePort } from "../test/helpers/ports.js";
import { rawRedisClient } from "../test/helpers/scenario.js";
import { startServers } from "../test/helpers/servers.js";
import { BOT_SIGNING_ENV, TEST_SIGNING_KEYS } from "../test/helpers/signing.js";
import type { BuiltBotContext } from "./bench-bot.js";
import { spawnBot } from "./bench-bot.js";

export const NOTICES_TARGETS = { seconds: 30 } as const;
const HOST = "localhost";
const BOT_USER = "bot";
/** Accounts made per `prosodyctl shell` call (mod_admin_shell's user:create). */
const SHELL_BATCH = 200;
/** XADDs per pipeline while writing the burst. */
const WRITE_BATCH = 500;
const POLL_MS = 50;
const GIVE_UP_S = 120;

export interface NoticesSettings {
  uses: number;
  inviters: number;
}

export type NoticesContext = BuiltBotContext<NoticesSettings>;

export interface NoticesResult {
  uses: number;
  inviters: number;
  /** From the first XADD to the last entry written. */
  writeSeconds: number;
  /** From the first XADD until the group had read and acknowledged them all; undefined if it never did. */
  toldSeconds: number | undefined;
  pendingAtEnd: number;
  noticesSent: number;
  botRssMiB: number;
}

/** A counter of the bot's from its operations listener (docs/operations.md), summed over its labels. */
async function counter(opsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const lines = text.matchAll(new RegExp(`^xmpp_invite_bot_${name}(?:\\{[^}]*\\})? (\\d+)`, "gmu"));
  return [...lines].reduce((sum, [, value]) => sum + Number(value), 0);
}

export async function runNoticesBench(context: NoticesContext): Promise<NoticesResult> {
  const { settings, log, defer } = context;
  log("notices: starting Prosody and Redis …");
  const servers = await startServers({}, { inviteModule: true, moreModules: ["offline"] });
  defer(() => servers.stop());
  await servers.prosody.register(BOT_USER, HOST, `${BOT_USER}-password`);
  const inviters = Array.from({ length: settings.inviters }, (_, k) => `inviter${k}`);
  log(`notices: registering ${inviters.length} inviters through Prosody's admin shell …`);
  for (let first = 0; first < inviters.length; first += SHELL_BATCH) {
    const creates = inviters
      .slice(first, first + SHELL_BATCH)
      .map((name) => `user:create(${JSON.stringify(`${name}@${HOST}`)}, ${JSON.stringify(`${name}-password`)})`);
    await servers.prosody.prosodyctl("shell", creates.join("; "));
  }
  const redis = rawRedisClient(servers.redis.url);
  await redis.connect();
  defer(async () => redis.destroy());

  const opsPort = await freePort();
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  log("notices: starting the bot (node dist/main.js) …");
  const bot = await spawnBot(
    context.build.main,
    {
      XMPP_SERVICE: servers.service,
      XMPP_DOMAIN: HOST,
      XMPP_USERNAME: BOT_USER,
      XMPP_PASSWORD: `${BOT_USER}-password`,
      REDIS_URL: servers.redisUrl,
      ADMIN_JIDS: "admin@localhost",
      LOG_LEVEL: "info",
      OPS_LISTEN: `127.0.0.1:${opsPort}`,
      ...BOT_SIGNING_ENV,
    },
    30_000,
    context.nodeFlags,
  );
  defer(() => bot.stop());
  // The group exists once the consumer started: wait for it, so that the burst is read live.
  const key = eventsKey(HOST);
  const group = async () => (await redis.xInfoGroups(key).catch(() => []))[0];
  while ((await group()) === undefined) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  const sentBefore = await counter(opsUrl, "use_notices_sent_total");

  log(`notices: writing ${settings.uses} use events of ${settings.inviters} inviters at once …`);
  const started = performance.now();
  const now = String(Math.floor(Date.now() / 1000));
  for (let first = 0; first < settings.uses; first += WRITE_BATCH) {
    const batch = redis.multi();
    for (let k = first; k < Math.min(first + WRITE_BATCH, settings.uses); k += 1) {
      const fields = {
        kind: "registered",
        inviter: `${inviters[k % inviters.length]}@${HOST}`,
        invitee: `newcomer${k}@${HOST}`,
        // An invite's id: the first 8 characters of its token's hash (docs/storage.md).
        invite: `b${k.toString(36).padStart(7, "0")}`,
        at: now,
      };
      batch.xAdd(key, "*", { ...fields, tag: eventTag(TEST_SIGNING_KEYS, HOST, fields) });
    }
    await batch.execAsPipeline();
  }
  const writeSeconds = (performance.now() - started) / 1000;

  let toldSeconds: number | undefined;
  let pendingAtEnd = Number.NaN;
  while ((performance.now() - started) / 1000 < GIVE_UP_S) {
    const state = await group();
    pendingAtEnd = Number(state?.pending ?? Number.NaN);
    if (state !== undefined && Number(state.lag ?? 1) === 0 && pendingAtEnd === 0) {
      toldSeconds = (performance.now() - started) / 1000;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const result: NoticesResult = {
    ...settings,
    writeSeconds,
    toldSeconds,
    pendingAtEnd,
    noticesSent: (await counter(opsUrl, "use_notices_sent_total")) - sentBefore,
    botRssMiB: bot.memory().rssMiB,
  };
  const counts = bot.logCounts();
  if ((counts.ERROR ?? 0) > 0) throw new Error(`the bot logged errors during the burst:\n${bot.output()}`);
  // Every entry must have been taken as a use: one ignored (unsigned, malformed) would be measured as told.
  const ignored = await counter(opsUrl, "use_events_ignored_total");
  if (ignored > 0) throw new Error(`the bot ignored ${ignored} of the use events:\n${bot.output()}`);
  return result;
}

export function noticesReport(r: NoticesResult): string {
  const told = r.toldSeconds;
  const ok = told !== undefined && told <= NOTICES_TARGETS.seconds && r.pendingAtEnd === 0;
  return [
    "",
    `Use notices: ${r.uses.toLocaleString("en-US")} use events of ${r.inviters} inviters written at once (stream entries, as Prosody's module writes them)`,
    `  written in ${r.writeSeconds.toFixed(2)} s; all read and acknowledged after ${told === undefined ? `more than ${GIVE_UP_S} s` : `${told.toFixed(2)} s`} (${told === undefined ? "-" : (r.uses / told).toFixed(0)}/s)`,
    `  entries pending at the end: ${r.pendingAtEnd}; messages sent: ${r.noticesSent} (notices, and summaries past the per-inviter cap)`,
    `  the bot's RSS after: ${r.botRssMiB.toFixed(1)} MiB`,
    `  every use told within ${NOTICES_TARGETS.seconds} s, none pending: ${ok ? "PASS" : "MISS"}`,
  ].join("\n");
}
