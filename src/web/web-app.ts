/**
 * The web side of the bot's process (docs/web.md): the HTTP server with its dependencies, listening on
 * WEB_LISTEN from start() to stop(). Accounts are made by the registrar the app chose (src/registration/).
 */
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../api/api.js";
import type { CircleStore } from "../circles/store.js";
import type { Config, WebConfig } from "../config.js";
import { InviteLinks } from "../invites/invite-links.js";
import type { HitCounter, InviteStore } from "../invites/store.js";
import type { UsernameRule } from "../invites/username.js";
import type { Logger } from "../logger.js";
import type { Registrar } from "../registration/registrar.js";
import { circleNamesFrom } from "./circle-names.js";
import type { ConsoleParts } from "./console/console-deps.js";
import { csrfKey } from "./csrf.js";
import { DEFAULT_WEB_LIMITS, type WebLimits } from "./rate-limits.js";
import { buildWebServer } from "./server.js";
import { loadWebData, type WebData } from "./web-data.js";

export interface WebApp {
  readonly server: FastifyInstance;
  /** Listens on WEB_LISTEN; resolves with the address it listens on (host:port, the port found when it was 0). */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export interface WebAppDeps {
  /** Where the pages look invites up (through InviteLinks: src/invites/invite-links.ts). */
  readonly invites: Pick<InviteStore, "findByToken">;
  /** The per-invite rate-limit counters, shared by every bot instance. */
  readonly hits: HitCounter;
  readonly log: Logger;
  /** How accounts are made (chosen by the app once online: src/registration/choose.ts). */
  readonly registrar: Registrar;
  readonly data?: WebData;
  readonly limits?: WebLimits;
  readonly preApproves?: () => boolean;
  /** The username rule with this server's protected names (USERNAME_CONFUSABLES). */
  readonly usernameRule?: UsernameRule;
  /** The circles, for their names on the pages of invites to them (docs/circles.md). */
  readonly circles?: Pick<CircleStore, "find">;
  /** The web console (docs/console.md): its logins, the invite service and how a login link is sent. */
  readonly console?: ConsoleParts;
  /** The HTTP API (docs/api.md): its keys and the invite service. */
  readonly api?: ApiDeps;
}

export function createWebApp(config: Config, web: WebConfig, deps: WebAppDeps): WebApp {
  const { log } = deps;
  const server = buildWebServer({
    config: web,
    domain: config.xmpp.domain,
    data: deps.data ?? loadWebData(web.appsFile),
    invites: new InviteLinks(deps.invites),
    circleNames: circleNamesFrom(deps.circles, log),
    hits: deps.hits,
    registrar: deps.registrar,
    csrfKey: csrfKey(config.signingKeys.current),
    ...(deps.preApproves === undefined ? {} : { preApproves: deps.preApproves }),
    botJid: `${config.xmpp.username}@${config.xmpp.domain}`.toLowerCase(),
    ...(deps.usernameRule === undefined ? {} : { usernameRule: deps.usernameRule }),
    ...(deps.console === undefined ? {} : { console: deps.console }),
    ...(deps.api === undefined ? {} : { api: deps.api }),
    log,
    limits: deps.limits ?? {
      ...DEFAULT_WEB_LIMITS,
      viewsPerAddress: { limit: web.viewsPerMinute, windowMs: 60_000 },
      postsPerAddress: { limit: web.attemptsPer10Minutes, windowMs: 600_000 },
    },
  });
  return {
    server,
    async start() {
      await server.listen({ host: web.listen.host, port: web.listen.port });
      const address = server.server.address();
      const where =
        address === null || typeof address === "string" ? `${web.listen.host}:${web.listen.port}` : hostPort(address);
      log.info("Web pages listening", { listen: where, url: web.url });
      return where;
    },
    async stop() {
      await server.close();
    },
  };
}

function hostPort(address: { address: string; port: number; family: string }): string {
  return address.family === "IPv6" ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}
