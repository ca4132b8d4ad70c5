/**
 * The invite web pages' HTTP server (docs/web.md). Built apart from listen(), Fastify's way, so that tests drive
 * it through inject() and a real port alike. Every answer is a page: unknown paths, wrong methods, odd bodies and
 * our own failures get a 4xx (or 5xx) page in the visitor's language, never a stack trace.
 */
import formbody from "@fastify/formbody";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { type ApiDeps, registerApi } from "../api/api.js";
import type { WebConfig } from "../config.js";
import { describeError } from "../errors.js";
import type { InviteLinks } from "../invites/invite-links.js";
import type { HitCounter } from "../invites/store.js";
import type { UsernameRule } from "../invites/username.js";
import type { Logger } from "../logger.js";
import type { Registrar } from "../registration/registrar.js";
import { AddressCounters } from "./address-counters.js";
import type { CircleNames } from "./circle-names.js";
import { isProxyPeer, trustProxyOption } from "./client-address.js";
import { capConnections, overHeaderLines, timeoutOptions } from "./connections.js";
import type { ConsoleParts } from "./console/console-deps.js";
import { registerConsoleRoutes } from "./console/console-routes.js";
import { errorMessage } from "./error-pages.js";
import { securityHeaders } from "./headers.js";
import { FALLBACK_LANGUAGE, negotiateLanguage, translate } from "./i18n.js";
import { type ContextFor, type Pages, registerInviteRoutes } from "./invite-routes.js";
import { allowedMethods } from "./known-paths.js";
import { type PageContext, pageContext, type Site } from "./page-context.js";
import { type Message, messagePage } from "./pages/message-page.js";
import { platformOf } from "./platform.js";
import type { WebLimits } from "./rate-limits.js";
import type { WebData } from "./web-data.js";

/** Form bodies are a few fields: anything bigger is refused with 413 before it is read. */
export const BODY_LIMIT_BYTES = 8 * 1024;

export interface WebDeps {
  readonly config: WebConfig;
  readonly domain: string;
  readonly data: WebData;
  /** The domain's invites (src/invites/invite-links.ts): the one a link opens, if it can still be used. */
  readonly invites: Pick<InviteLinks, "pendingInviteFor">;
  /** The names of an invite's circles, shown on its pages (circle-names.ts). */
  readonly circleNames?: CircleNames;
  readonly registrar: Registrar;
  /** Per-invite counters (Redis); the per-address ones are in this process (address-counters.ts). */
  readonly hits: HitCounter;
  /** The clock of the per-address counters; Date.now unless a test sets it. */
  readonly clock?: () => number;
  /** From csrfKey(INVITE_SIGNING_KEY). */
  readonly csrfKey: Buffer;
  readonly log: Logger;
  readonly limits: WebLimits;
  /** Whether the server pre-approves invites' contact requests (XEP-0379); true unless the bot is the hook. */
  readonly preApproves?: () => boolean;
  /** The bot's bare JID: existing accounts join an invite's circles by subscribing to it (docs/circles.md). */
  readonly botJid?: string;
  /** The username rule with this server's protected names (src/invites/username.ts). */
  readonly usernameRule?: UsernameRule;
  /** The web console (docs/console.md); no /console pages without it. */
  readonly console?: ConsoleParts;
  /** The HTTP API (docs/api.md); no /api/v1 without it. */
  readonly api?: ApiDeps;
}

function siteOf(deps: WebDeps): Site {
  const { config, data } = deps;
  return {
    name: config.siteName,
    domain: deps.domain,
    url: config.url,
    basePath: new URL(config.url).pathname.replace(/\/+$/u, ""),
    apps: data.apps,
    languages: Object.keys(data.catalogs).map((code) => ({
      code,
      name: translate(data.catalogs[code] ?? {}, "language.name"),
    })),
    preApproves: deps.preApproves ?? (() => true),
    ...(deps.botJid === undefined ? {} : { botJid: deps.botJid }),
  };
}

export function buildWebServer(deps: WebDeps): FastifyInstance {
  const { config, data } = deps;
  const site = siteOf(deps);
  const languages = Object.keys(data.catalogs);
  const https = config.url.startsWith("https:");
  const headers = securityHeaders(https);
  const log = deps.log;

  const languageOf = (request: FastifyRequest): string => {
    const asked = (request.query as Record<string, unknown> | undefined)?.lang;
    return typeof asked === "string" && languages.includes(asked)
      ? asked
      : negotiateLanguage(request.headers["accept-language"], languages);
  };
  const contextFor: ContextFor = (request, path) => {
    const lang = languageOf(request);
    const catalog = data.catalogs[lang] ?? data.catalogs[FALLBACK_LANGUAGE] ?? {};
    return pageContext(site, catalog, lang, platformOf(request.headers["user-agent"]), path);
  };
  const sendMessage = (reply: FastifyReply, ctx: PageContext, status: number, message: Message) => {
    if (message.kind === "too-many") reply.header("retry-after", String(message.retryAfterSeconds));
    return reply.code(status).type("text/html; charset=utf-8").send(messagePage(ctx, message));
  };
  const sendError: Pages["sendError"] = (reply, ctx, code, retryAfterSeconds) => {
    const { status, message } = errorMessage(code, retryAfterSeconds);
    return sendMessage(reply, ctx, status, message);
  };

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(config.trustProxy),
    // Slow and idle clients are cut off (connections.ts), and counted below.
    ...timeoutOptions(config),
    // While stopping, new requests get 503 (and the page below) instead of waiting on a closing server.
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  capConnections(
    app.server,
    {
      total: config.maxConnections,
      perAddress: config.maxConnectionsPerAddress,
      isProxy: isProxyPeer(config.trustProxy),
    },
    log,
  );
  // Only HTML forms: JSON or any other body type is answered 415.
  app.removeAllContentTypeParsers();
  app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });

  app.addHook("onRequest", async (request, reply) => {
    if (overHeaderLines(request.raw)) {
      reply.header("connection", "close");
      return sendError(reply, contextFor(request, ""), "headers-too-large");
    }
  });

  app.addHook("onSend", async (request, reply, payload) => {
    reply.headers(headers);
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    reply.header("vary", "Accept-Language");
    const type = String(reply.getHeader("content-type") ?? "");
    if (type.startsWith("text/html")) reply.header("content-language", languageOf(request));
    return payload;
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    // Fastify's own errors (413, 415, …) keep the status of Fastify's catalogue; anything else is ours: internal.
    const status =
      error.statusCode !== undefined && error.statusCode >= 400
        ? error.statusCode
        : describeError("internal").http.status;
    const ctx = contextFor(request, "");
    if (status >= 500) {
      log.error("Web page failed", { method: request.method, route: request.routeOptions.url, error: error.message });
    } else {
      log.debug("Web request refused", { method: request.method, status, code: error.code });
    }
    return sendMessage(reply, ctx, status, { kind: "error", status });
  });

  app.setNotFoundHandler((request, reply) => {
    const ctx = contextFor(request, "");
    const path = request.url.split("?")[0]?.slice(site.basePath.length).replace(/\/$/u, "") || "/";
    const allow = allowedMethods(path, deps.console !== undefined);
    if (request.url.startsWith(site.basePath) && allow !== undefined) {
      reply.header("allow", allow);
      return sendError(reply, ctx, "method-not-allowed");
    }
    return sendError(reply, ctx, "page-not-found");
  });

  app.register(
    async (scope) => {
      scope.get("/", (request, reply) => sendMessage(reply, contextFor(request, "/"), 200, { kind: "home" }));
      scope.get("/assets/style.css", (_request, reply) =>
        reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=86400").send(data.stylesheet),
      );
      scope.get("/assets/icon.svg", (_request, reply) =>
        reply.type("image/svg+xml").header("cache-control", "public, max-age=86400").send(data.icon),
      );
      // Browsers ask for it whatever the page says.
      scope.get("/favicon.ico", (_request, reply) => reply.redirect(`${site.basePath}/assets/icon.svg`, 301));
      const shared = {
        https,
        addressHits: new AddressCounters(deps.clock),
        origin: new URL(config.url).origin,
        basePath: site.basePath,
        pages: { contextFor, sendError },
      };
      registerInviteRoutes(scope, { ...deps, ...shared });
      if (deps.console !== undefined) registerConsoleRoutes(scope, { ...deps, ...shared, ...deps.console });
      if (deps.api !== undefined) registerApi(scope, deps.api);
    },
    { prefix: site.basePath },
  );
  return app;
}
