/**
 * The buttons phase of `npm run bench` (docs/benchmarks.md, "The apps' invite buttons"): a contact invite
 * (`urn:xmpp:invite#invite`, `execute`) three ways, in one run on one private Prosody:
 *
 * - direct: at the bot's full JID, as the Conversations family does with the bot's item (docs/clients.md);
 * - forwarded: at the domain, as Monal, yaxim and poezio do: prosody/mod_invites_bot.lua forwards it to the bot in
 *   XEP-0355's wrapper and relays the answer;
 * - native: Prosody's own mod_invites_adhoc, on another VirtualHost (the two cannot share a host).
 *
 * One user per way (each its own session), a warm-up, then BENCH_BUTTONS_ROUNDS (300) rounds of one request each,
 * interleaved so that background noise falls on all three alike. Target: forwarded p50 < 2× direct p50.
 */

import { startRedis } from "../test/helpers/redis-server.js";
import { BOT_SIGNING_ENV } from "../test/helpers/signing.js";
import type { BotBuild } from "./bench-bot.js";
import { spawnBot, UNLIMITED_BOT_ENV } from "./bench-bot.js";
import {
  closedLoop,
  connectInviteClient,
  type InviteClient,
  type LatencyResult,
  sequentialEach,
} from "./bench-load.js";
import { BOT_HOST, NATIVE_HOST, startBenchProsody } from "./bench-prosody.js";

export const BUTTONS_TARGET = { forwardedOverDirect: 2 } as const;
const BOT_USER = "invites";
const BOT_RESOURCE = "invites";
const WARMUP = 200;

export interface ButtonsContext {
  rounds: number;
  build: BotBuild;
  nodeFlags: readonly string[];
  log(text: string): void;
  defer(task: () => Promise<unknown>): void;
}

export interface ButtonsResult {
  direct: LatencyResult;
  forwarded: LatencyResult;
  native: LatencyResult;
}

export async function runButtonsBench(context: ButtonsContext): Promise<ButtonsResult> {
  const { log, defer } = context;
  const botJid = `${BOT_USER}@${BOT_HOST}/${BOT_RESOURCE}`;
  log("buttons: starting Prosody (mod_invites_bot on localhost, mod_invites_adhoc on native.localhost) and Redis …");
  const [prosody, redis] = await Promise.all([startBenchProsody(15_000, botJid), startRedis()]);
  defer(() => prosody.stop());
  defer(() => redis.stop());
  const password = (name: string) => `${name}-bench-password`;
  await prosody.register(BOT_USER, BOT_HOST, password(BOT_USER));
  for (const [user, host] of [
    ["direct", BOT_HOST],
    ["forwarded", BOT_HOST],
    ["native", NATIVE_HOST],
  ] as const) {
    await prosody.register(user, host, password(user));
  }
  const bot = await spawnBot(
    context.build.main,
    {
      XMPP_SERVICE: prosody.service,
      // This server has no registration hook of ours; the bot need not find out (docs/servers.md).
      REGISTRATION: "server",
      XMPP_DOMAIN: BOT_HOST,
      XMPP_USERNAME: BOT_USER,
      XMPP_PASSWORD: password(BOT_USER),
      XMPP_RESOURCE: BOT_RESOURCE,
      REDIS_URL: redis.url,
      ...UNLIMITED_BOT_ENV,
      LOG_LEVEL: "info",
      ...BOT_SIGNING_ENV,
    },
    30_000,
    context.nodeFlags,
  );
  defer(() => bot.stop());
  const connect = async (username: string, host: string, target: string): Promise<InviteClient> => {
    const client = await connectInviteClient({
      service: prosody.service,
      domain: host,
      username,
      password: password(username),
      target,
    });
    defer(() => client.stop());
    return client;
  };
  const clients = await Promise.all([
    connect("direct", BOT_HOST, botJid),
    connect("forwarded", BOT_HOST, BOT_HOST),
    connect("native", NATIVE_HOST, NATIVE_HOST),
  ]);
  log(`buttons: warm-up, ${WARMUP} invites each way …`);
  for (const client of clients) await closedLoop(client, { concurrency: 4, count: WARMUP, maxSeconds: 60 });
  log(`buttons: ${context.rounds} rounds of one invite each way …`);
  const [direct, forwarded, native] = (await sequentialEach(clients, context.rounds)) as [
    LatencyResult,
    LatencyResult,
    LatencyResult,
  ];
  return { direct, forwarded, native };
}

export function buttonsReport(result: ButtonsResult): string {
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const row = (name: string, r: LatencyResult) =>
    `  ${name.padEnd(50)}p50 ${ms(r.p50).padStart(9)}   p99 ${ms(r.p99).padStart(9)}   (${r.count})`;
  const ratio = result.forwarded.p50 / result.direct.p50;
  const verdict = ratio < BUTTONS_TARGET.forwardedOverDirect ? "PASS" : "MISS";
  return [
    "",
    "The apps' invite buttons: #invite (execute), one request at a time",
    row("at the bot's full JID (Conversations family)", result.direct),
    row("at the domain, forwarded (Monal, yaxim, poezio)", result.forwarded),
    row("Prosody's own mod_invites_adhoc", result.native),
    `  forwarded / direct p50: ${ratio.toFixed(2)}×  (target < ${BUTTONS_TARGET.forwardedOverDirect}×) ${verdict}`,
  ].join("\n");
}
