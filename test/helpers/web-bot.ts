/**
 * A bot with its web pages on a loopback port, resolved once it has chosen how accounts are made (at its first
 * login, src/registration/ways.ts): before that its pages cannot register anyone.
 */
import type { RegistrationWay } from "../../src/registration/registrar.js";
import type { TestBot } from "./bot.js";
import { freePort } from "./ports.js";

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
  way: RegistrationWay,
  port?: number,
): Promise<WebBot> {
  const listenPort = port ?? (await freePort());
  const webUrl = `http://127.0.0.1:${listenPort}`;
  const bot = await start({ WEB_LISTEN: `127.0.0.1:${listenPort}`, WEB_URL: webUrl });
  const chosen = await bot.events.waitFor("registrar-chosen");
  if (chosen.way !== way) throw new Error(`the bot chose "${chosen.way}" to make accounts, not "${way}"`);
  return { bot, webUrl, port: listenPort };
}
