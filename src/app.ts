/**
 * createApp wires every part and does no I/O; start() connects: tests build the app without touching the network.
 * Tests build the same app against a private Prosody and Redis.
 */
import type { Client } from "@xmpp/client";
import { circleRooms } from "./app/circle-rooms.js";
import type { Component } from "./app/component.js";
import { consoleLogins } from "./app/console-logins.js";
import { type AppEvents, appEvents } from "./app/events.js";
import { httpApi } from "./app/http-api.js";
import { useNotices } from "./app/use-notices.js";
import { webListener } from "./app/web-listener.js";
import { attachXmppSide } from "./app/xmpp-side.js";
import { CircleService } from "./circles/service.js";
import type { Config } from "./config.js";
import type { EventSource } from "./events.js";
import { trackHealth } from "./health/health-file.js";
import { type Clock, systemClock } from "./invites/expiry.js";
import type { Policy } from "./invites/permissions.js";
import { InviteService } from "./invites/service.js";
import type { InviteStore, QuotaStore, RelationsStore } from "./invites/store.js";
import type { RandomSource } from "./invites/token.js";
import { usernameRuleFor } from "./invites/username.js";
import { createLogger, type Logger } from "./logger.js";
import { chooseRegistrationWhenOnline } from "./registration/ways.js";
import { type StorageBackend, serviceStore } from "./storage/backend.js";
import { redisBackend } from "./storage/redis-backend.js";
import { createRedisClient } from "./storage/redis-client.js";
import { createWebApp, type WebApp, type WebAppDeps } from "./web/web-app.js";
import { createConnection } from "./xmpp/connection.js";
import { ROLES_ON_JOIN_FEATURE, serverFeatures } from "./xmpp/server-features.js";

export interface AppDeps {
  readonly log?: Logger;
  /** The storage backend (src/storage/backend.ts): Redis at REDIS_URL unless given. */
  readonly storage?: StorageBackend;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** For the web pages: other data files, registrar or limits (tests). */
  readonly web?: Partial<Omit<WebAppDeps, "invites" | "hits" | "log">>;
  /** Called when the bot cannot go on at all (e.g. an invite store layout it does not know); main exits. */
  readonly onFatal?: (error: Error) => void;
  /** Use notices per recipient and window before a summary (src/notifications/consumer.ts); tests shorten it. */
  readonly noticeCap?: { readonly perWindow: number; readonly windowMs: number };
  /** How long the bot's claims may stay unsettled before its sweep settles them (unsettled-sweep.ts); tests shorten it. */
  readonly settleAfterMs?: number;
}

export interface App {
  readonly xmpp: Client;
  readonly service: InviteService;
  /** The circles (docs/circles.md). */
  readonly circles: CircleService;
  /** The invites, quota and relations ports as the service uses them. */
  readonly store: InviteStore & QuotaStore & RelationsStore;
  /** Every port of the storage backend. */
  readonly storage: StorageBackend;
  /** The invite web pages, when WEB_LISTEN is set. */
  readonly web: WebApp | undefined;
  /** What happens in the bot, as typed events (src/app/events.ts): listen before start() to miss none. */
  readonly events: EventSource<AppEvents>;
  /** Where the web pages listen (host:port) once started. */
  readonly webAddress: string | undefined;
  /** Connects to Redis and XMPP; resolves once the first XMPP attempt is over (reconnects go on). */
  start(): Promise<void>;
  /** Unavailable presence, stream close, Redis close. */
  stop(): Promise<void>;
}

export function createApp(config: Config, deps: AppDeps = {}): App {
  const log = deps.log ?? createLogger(config.logLevel);
  const clock = deps.clock ?? systemClock;
  const events = appEvents(log);
  const host = config.xmpp.domain;
  const onFatal = deps.onFatal === undefined ? {} : { onFatal: deps.onFatal };
  const policy: Policy = {
    domain: host,
    admins: config.admins,
    allowUserInvites: config.allowUserInvites,
    allowContactInvites: config.allowContactInvites,
    botJid: `${config.xmpp.username}@${host}`.toLowerCase(),
  };
  const storage =
    deps.storage ??
    redisBackend({
      redis: createRedisClient(config.redis.url, config.redis.timeoutMs),
      host,
      timeoutMs: config.redis.timeoutMs,
      signingKeys: config.signingKeys,
      log: log.child({ part: "redis" }),
      events,
      ...onFatal,
    });
  const store = serviceStore(storage);
  // One username rule for every way an account is made (src/invites/username.ts, USERNAME_CONFUSABLES).
  const usernameRule = usernameRuleFor(policy, config.usernameConfusables);
  const connection = createConnection(config.xmpp, {
    log: log.child({ part: "xmpp" }),
    onFatal: (error) => deps.onFatal?.(error),
    events,
  });
  const { xmpp } = connection;
  const features = serverFeatures(xmpp, host, log.child({ part: "xmpp" }));
  // The circles' group chats, over the bot's session: left with the circle, created or checked when added.
  const { rooms, roomSetup } = circleRooms(xmpp, config, log.child({ part: "rooms" }));
  const circles = new CircleService({ store: storage.circles, policy, clock, events, rooms, roomSetup });
  const random = deps.random === undefined ? {} : { random: deps.random };
  const service = new InviteService({
    ...{ store, policy, usernameRule, clock, events, circles, ...random },
    ttlSeconds: config.inviteTtlSeconds,
    quota: config.inviteQuota,
    invitePage: config.invitePage,
    roles: { rolesOnJoin: () => features.has(ROLES_ON_JOIN_FEATURE) },
  });
  const logins = consoleLogins(xmpp, { config, policy, storage, clock, ...random });
  const api = httpApi({ policy, storage, store, clock, ...random, log: log.child({ part: "api" }) });
  const requests = attachXmppSide(xmpp, {
    ...{ config, policy, service, circles, clock, log },
    console: logins.access,
    // The API is served by the web server: without it, no keys to make (docs/api.md).
    ...(config.web === undefined ? {} : { apiKeys: api.keys }),
    // Existing accounts join circles through the bot only where it makes the accounts (docs/circles.md).
    joins: { claims: storage.claims, circles: storage.circles, botIsHook: () => registrar.way === "bot" },
  });

  // Tell inviters their invite was used: only with a backend that carries the events.
  const notifier = useNotices(xmpp, storage, { config, policy, events, log, noticeCap: deps.noticeCap });

  // How accounts are made from invites: decided once online (REGISTRATION, src/registration/choose.ts).
  const registrar = chooseRegistrationWhenOnline(xmpp, {
    config,
    claims: storage.claims,
    circles: storage.circles,
    usernameRule,
    log: log.child({ part: "register" }),
    events,
    ...onFatal,
    ...(deps.settleAfterMs === undefined ? {} : { settleAfterMs: deps.settleAfterMs }),
  });

  const web =
    config.web === undefined
      ? undefined
      : createWebApp(config, config.web, {
          ...deps.web,
          registrar: deps.web?.registrar ?? registrar,
          // A server without our hook has no XEP-0379 pre-approval either (docs/servers.md).
          preApproves: () => registrar.way !== "bot",
          usernameRule,
          invites: storage.invites,
          hits: storage.hits,
          circles: storage.circles,
          console: logins.web(service, api.keys, circles),
          api: api.web(service),
          log: log.child({ part: "web" }),
        });
  const listening = webListener(web, config, log, deps.onFatal);
  let forgetHealth: (() => void) | undefined;

  // The lifecycle. What the bot stands on starts first and stops last, in reverse; what uses the XMPP session
  // starts before it connects and stops, in this order, before it closes.
  const ground: Component[] = [
    {
      start: () => {
        if (config.healthFile !== undefined) forgetHealth = trackHealth(xmpp, config.healthFile, log);
      },
      stop: () => forgetHealth?.(),
    },
    storage,
  ];
  const sessionUsers: Component[] = [
    requests,
    ...(notifier === undefined ? [] : [notifier]),
    ...(web === undefined ? [] : [listening]),
    registrar,
  ];

  return {
    xmpp,
    service,
    circles,
    store,
    storage,
    web,
    events,
    get webAddress() {
      return listening.address;
    },
    async start() {
      for (const part of [...ground, ...sessionUsers]) if ((await part.start?.()) === false) return;
      await connection.start();
    },
    async stop() {
      for (const part of [...sessionUsers, connection, ...[...ground].reverse()]) await part.stop?.();
    },
  };
}
