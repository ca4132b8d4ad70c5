/**
 * A bot with its web pages on a loopback port, resolved once it has chosen how accounts are made (at its first
 * login, src/registration/ways.ts): before that its pages cannot register anyone.
 */
import { expect } from "vitest";
import { eventually, type TestBot } from "./bot.js";
import { freePort } from "./ports.js";

/** What the bot logs once it has chosen, for each way (src/registration/ways.ts). */
export const REGISTRAR_CHOSEN = {
  server: "Registration: the server consumes the invites (in-band with the token, XEP-0445)",
  bot: "Registration: the bot creates the accounts (XEP-0133 add-user, as a server administrator)",
} as const;

export interface WebBot {
  readonly bot: TestBot;
  /** http://127.0.0.1:PORT, the bot's WEB_URL. */
  readonly webUrl: string;
  readonly port: number;
}

/**
 * Starts a bot with `start`, given WEB_LISTEN and WEB_URL for `port` (a free one unless given: a restarted bot keeps
 * its predecessor's), and waits until it has chosen `way`.
 */
export async function startWebBot(
  start: (web: { WEB_LISTEN: string; WEB_URL: string }) => Promise<TestBot>,
  way: keyof typeof REGISTRAR_CHOSEN,
  port?: number,
): Promise<WebBot> {
  const listenPort = port ?? (await freePort());
  const webUrl = `http://127.0.0.1:${listenPort}`;
  const bot = await start({ WEB_LISTEN: `127.0.0.1:${listenPort}`, WEB_URL: webUrl });
  await eventually(async () => expect(bot.logs.join("")).toContain(REGISTRAR_CHOSEN[way]));
  return { bot, webUrl, port: listenPort };
}
