/** The bot instances of the instances phase (scripts/bench-instances.ts): their start, their complaints, their CPU. */

import { BOT_SIGNING_ENV } from "../test/helpers/signing.js";
import type { BotProcess } from "./bench-bot.js";
import { spawnBot, UNLIMITED_BOT_ENV } from "./bench-bot.js";
import type { InstancesContext } from "./bench-instances.js";
import type { BenchStore } from "./bench-instances-stores.js";
import { BOT_HOST } from "./bench-prosody.js";

export const BOT_USER = "invites";
export const password = (name: string): string => `${name}-bench-password`;

export async function spawnInstance(
  context: Pick<InstancesContext, "build" | "nodeFlags">,
  service: string,
  store: BenchStore,
  resource: string,
): Promise<BotProcess> {
  return spawnBot(
    context.build.main,
    {
      XMPP_SERVICE: service,
      // This server has no registration hook of ours; the bot need not find out (docs/servers.md).
      REGISTRATION: "server",
      XMPP_DOMAIN: BOT_HOST,
      XMPP_USERNAME: BOT_USER,
      XMPP_PASSWORD: password(BOT_USER),
      XMPP_RESOURCE: resource,
      ...store.botEnv,
      ...UNLIMITED_BOT_ENV,
      ALLOW_USER_INVITES: "false",
      ALLOW_CONTACT_INVITES: "true",
      LOG_LEVEL: "info",
      ...BOT_SIGNING_ENV,
    },
    30_000,
    context.nodeFlags,
  );
}

/**
 * The bots' WARN and ERROR lines, caught every 100 ms: spawnBot keeps only the last 32 KiB of output, which a busy
 * bot's INFO line per invite fills in a quarter of a second.
 */
export function watchComplaints(bots: readonly BotProcess[]): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const seen = new Map<BotProcess, number>();
  const timer = setInterval(() => {
    for (const [i, bot] of bots.entries()) {
      const counts = bot.logCounts();
      const now = (counts.WARN ?? 0) + (counts.ERROR ?? 0);
      if (now === (seen.get(bot) ?? 0)) continue;
      seen.set(bot, now);
      const found = bot
        .output(400)
        .split("\n")
        .filter((line) => /^\S+\s+(WARN|ERROR)\s/u.test(line));
      for (const line of found) if (!lines.includes(`bot ${i + 1}: ${line}`)) lines.push(`bot ${i + 1}: ${line}`);
    }
  }, 100);
  timer.unref();
  return { lines, stop: () => clearInterval(timer) };
}

/** `prosody 95 · bot 1 40 · …`, busiest first. */
export function cpuLine(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .sort(([, a], [, b]) => b - a)
    .map(([name, percent]) => `${name} ${percent.toFixed(0)}%`)
    .join(", ");
}
