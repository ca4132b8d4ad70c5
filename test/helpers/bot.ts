/**
 * Starts the real bot (createApp) against the private servers, with its events recorded from before the start
 * (app-events.ts: what tests wait for) and its log lines captured (what it says to people, and that it leaks no
 * secret).
 */
import { type App, type AppDeps, createApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { type EventLog, recordEvents } from "./app-events.js";
import { BOT_SIGNING_ENV } from "./signing.js";

export interface TestBot {
  app: App;
  config: Config;
  jid: string;
  /** The app's events since it was built. */
  events: EventLog;
  /** The log lines, for what people read; wait for `events`, not for a line. */
  logs: string[];
  stop(): Promise<void>;
}

export interface BotServers {
  service: string;
  redisUrl: string;
}

/** Registers nothing: the account `username@localhost` must exist. */
export async function startBot(
  servers: BotServers,
  username: string,
  env: Record<string, string> = {},
  deps: Omit<AppDeps, "log"> = {},
): Promise<TestBot> {
  const config = loadConfig({
    XMPP_SERVICE: servers.service,
    // Most test servers run without our Prosody module: tests of REGISTRATION=auto set it themselves.
    REGISTRATION: "server",
    XMPP_DOMAIN: "localhost",
    XMPP_USERNAME: username,
    XMPP_PASSWORD: `${username}-password`,
    // The resource the tests' Prosody configurations and stanzas name (unset, it would come from the host name).
    XMPP_RESOURCE: "invites",
    REDIS_URL: servers.redisUrl,
    // Tests run many bots at once: the ops listener (docs/operations.md) only where a test asks for it.
    OPS_LISTEN: "off",
    REDIS_TIMEOUT_MS: "1000",
    LOG_LEVEL: "debug",
    // Tests send bursts on purpose; flood control has its own test with real limits.
    RATE_LIMIT_BURST: "10000",
    RATE_LIMIT_PER_SECOND: "10000",
    ...BOT_SIGNING_ENV,
    ...env,
  });
  const logs: string[] = [];
  const app = createApp(config, { ...deps, log: createLogger("debug", { write: (line: string) => logs.push(line) }) });
  const events = recordEvents(app.events);
  try {
    await app.start();
    await events.waitFor("online").catch(() => {
      throw new Error(`bot ${username} did not come online`);
    });
  } catch (error) {
    // A bot that did not come online may still be connecting (and its pages listening): nothing may outlive this.
    await app.stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`startBot ${username}: ${reason}; log:\n${logs.join("")}`, { cause: error });
  }
  return { app, config, jid: `${username}@localhost/${config.xmpp.resource}`, events, logs, stop: () => app.stop() };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Polls until `check` stops throwing (or returns true), for states reached asynchronously. */
export async function eventually<T>(check: () => Promise<T>, ms = 10_000, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, every));
    }
  }
}
