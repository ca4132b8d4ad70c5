/**
 * The servers phase of `npm run bench` (docs/benchmarks.md, "Registration on ejabberd and on Prosody"): the
 * whole registration through the bot's web page, on Prosody with our module (in-band with the token) and on
 * ejabberd 23.01 (the bot as the hook: a claim in Redis, then XEP-0133 add-user as a server admin), in one run,
 * BENCH_SERVERS_REGISTRATIONS (50) each, one after another, the two servers taking turns in blocks of ten.
 */

import { startEjabberd } from "../test/helpers/ejabberd-server.js";
import { recordWith, writeRawRecord } from "../test/helpers/raw-records.js";
import { startRedis } from "../test/helpers/redis-server.js";
import { rawRedisClient } from "../test/helpers/scenario.js";
import { startServers } from "../test/helpers/servers.js";
import type { BotBuild } from "./bench-bot.js";
import {
  type RegistrationSamples,
  type RegistrationStats,
  registrationStats,
  registrations,
  spawnWebBot,
} from "./bench-web.js";

const BLOCK = 10;

export interface ServersContext {
  registrations: number;
  build: BotBuild;
  nodeFlags: readonly string[];
  log(text: string): void;
  defer(task: () => Promise<unknown>): void;
}

export interface ServersResult {
  prosody: RegistrationStats;
  ejabberd: RegistrationStats;
}

export async function runServersBench(context: ServersContext): Promise<ServersResult> {
  const { log, defer } = context;
  log("servers: starting Prosody (our module) + Redis, and ejabberd 23.01 + Redis …");
  const [prosodySide, ejabberd, ejRedis] = await Promise.all([
    startServers({}, { inviteModule: true }),
    startEjabberd({ admins: ["bot@localhost"], api: true }),
    startRedis(),
  ]);
  defer(() => prosodySide.stop());
  defer(() => ejabberd.stop());
  defer(() => ejRedis.stop());
  await prosodySide.prosody.register("bot", "localhost", "bot-password");
  await ejabberd.register("bot", "bot-password");
  const onProsody = await spawnWebBot(context, prosodySide.service, prosodySide.redisUrl, { REGISTRATION: "server" });
  const onEjabberd = await spawnWebBot(context, ejabberd.service, ejRedis.botUrl, {
    REGISTRATION: "bot",
    EJABBERD_API_URL: ejabberd.apiUrl,
  });
  const prosodyRedis = rawRedisClient(prosodySide.redis.url);
  const ejabberdRedis = rawRedisClient(ejRedis.url);
  await Promise.all([prosodyRedis.connect(), ejabberdRedis.connect()]);
  defer(async () => prosodyRedis.destroy());
  defer(async () => ejabberdRedis.destroy());

  const samples: Record<"prosody" | "ejabberd", RegistrationSamples> = {
    prosody: { posts: [], visits: [] },
    ejabberd: { posts: [], visits: [] },
  };
  log(`servers: ${context.registrations} registrations on each, in blocks of ${BLOCK} …`);
  for (let done = 0; done < context.registrations; done += BLOCK) {
    const count = Math.min(BLOCK, context.registrations - done);
    const newProsodyInvite = () => writeRawRecord(prosodyRedis, recordWith());
    const newEjabberdInvite = () => writeRawRecord(ejabberdRedis, recordWith());
    const base = { count };
    await registrations(
      { ...base, webUrl: onProsody.webUrl, newInvite: newProsodyInvite, botOutput: onProsody.output },
      samples.prosody,
    );
    await registrations(
      { ...base, webUrl: onEjabberd.webUrl, newInvite: newEjabberdInvite, botOutput: onEjabberd.output },
      samples.ejabberd,
    );
  }
  return { prosody: registrationStats(samples.prosody), ejabberd: registrationStats(samples.ejabberd) };
}

export function serversReport(result: ServersResult): string {
  const row = (name: string, stats: RegistrationStats) =>
    `  ${name.padEnd(40)}POST p50 ${stats.postP50.toFixed(1).padStart(6)} ms, p99 ${stats.postP99.toFixed(1)} ms   whole visit p50 ${stats.visitP50.toFixed(1)} ms   (${stats.count})`;
  return [
    "",
    "Registration through the web page, end to end",
    row("Prosody + our module (in-band, token)", result.prosody),
    row("ejabberd 23.01 (the bot, XEP-0133)", result.ejabberd),
    `  ejabberd / Prosody POST p50: ${(result.ejabberd.postP50 / result.prosody.postP50).toFixed(2)}×`,
  ].join("\n");
}
