/**
 * Bots that make accounts on a private ejabberd (docs/servers.md, `REGISTRATION=bot`): each with its web pages,
 * its XEP-0133 admin rights and ejabberd's HTTP API, on the store `store` names (one Redis, or a Redis Cluster with
 * clusterBotEnv), in this process or as src/main.ts runs (ejabberdInstanceEnv), and the newcomer's side of the page. For the suites that run several such bots or another store
 * (test/integration/ejabberd/cluster-registration.test.ts, instances.test.ts).
 */
import { startBot } from "./bot.js";
import type { EjabberdServer } from "./ejabberd-server.js";
import { freePort } from "./ports.js";
import { BOT_SIGNING_ENV } from "./signing.js";
import { startWebBot, type WebBot } from "./web-bot.js";
import { type WebPage, WebVisitor } from "./web-client.js";

/** The bot's Redis: `redisUrl` (REDIS_URL), or "" with the cluster's settings in `env`. */
export interface EjabberdBotStore {
  readonly redisUrl: string;
  readonly env?: Record<string, string>;
}

/** Accounts every such test needs on ejabberd: the bot (its admin), the admin of ADMIN_JIDS, and alice and bob. */
export const EJABBERD_ACCOUNTS = ["bot", "admin", "alice", "bob"] as const;

export async function registerEjabberdAccounts(ejabberd: EjabberdServer): Promise<void> {
  for (const name of EJABBERD_ACCOUNTS) await ejabberd.register(name, `${name}-password`);
}

/** A bot as bot@localhost/`resource` making the accounts on `ejabberd`; resolves once it chose to (`bot`). */
export function startEjabberdWebBot(
  ejabberd: EjabberdServer,
  store: EjabberdBotStore,
  resource = "invites",
  env: Record<string, string> = {},
): Promise<WebBot> {
  return startWebBot(
    (web) =>
      startBot({ service: ejabberd.service, redisUrl: store.redisUrl }, "bot", {
        ...web,
        ...store.env,
        XMPP_RESOURCE: resource,
        ADMIN_JIDS: "admin@localhost",
        ALLOW_USER_INVITES: "true",
        REGISTRATION: "auto",
        EJABBERD_API_URL: ejabberd.apiUrl,
        // Every visitor here is 127.0.0.1: the limits have their own tests (test/integration/web/rate-limits.test.ts).
        WEB_VIEWS_PER_MINUTE: "100000",
        WEB_ATTEMPTS_PER_10_MINUTES: "100000",
        ...env,
      }),
    "bot",
  );
}

/**
 * The environment of src/main.ts run as a process (main-process.ts) for an instance as an operator runs it on
 * ejabberd: no XMPP_RESOURCE (it comes from HOSTNAME, `invites-HOST`), web pages on a port of its own.
 */
export async function ejabberdInstanceEnv(
  ejabberd: EjabberdServer,
  redisUrl: string,
  host: string,
): Promise<{ env: Record<string, string>; webUrl: string }> {
  const port = await freePort();
  const webUrl = `http://127.0.0.1:${port}`;
  const env = {
    HOSTNAME: host,
    XMPP_SERVICE: ejabberd.service,
    XMPP_DOMAIN: ejabberd.host,
    XMPP_USERNAME: "bot",
    XMPP_PASSWORD: "bot-password",
    REDIS_URL: redisUrl,
    ADMIN_JIDS: `admin@${ejabberd.host}`,
    ALLOW_USER_INVITES: "true",
    REGISTRATION: "bot",
    EJABBERD_API_URL: ejabberd.apiUrl,
    WEB_LISTEN: `127.0.0.1:${port}`,
    WEB_URL: webUrl,
    RATE_LIMIT_BURST: "10000",
    RATE_LIMIT_PER_SECOND: "10000",
    ...BOT_SIGNING_ENV,
  };
  return { env, webUrl };
}

/** A newcomer on `webUrl`: opens the invite's landing page, follows "create account" and submits the form. */
export async function registerOnPage(
  webUrl: string,
  landingUrl: string,
  username: string,
  password: string,
): Promise<WebPage> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
  return visitor.submit(form, { username, password, password_again: password });
}
