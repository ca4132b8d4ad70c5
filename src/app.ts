/**
 * createApp wires every part and does no I/O; start() connects: tests build the app without touching the network.
 * Tests build the same app against a private Prosody and Redis.
 */
import type { Client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import { AdhocRegistry } from "./adhoc/registry.js";
import { ChatRouter } from "./chat/router.js";
import { allAdhocCommands, allChatKeywords } from "./commands/all-commands.js";
import { helpReply, hintReply } from "./commands/chat-text.js";
import { contextFactory } from "./commands/context.js";
import { adhocErrorFor, chatErrorFor } from "./commands/error-edges.js";
import type { Config } from "./config.js";
import { trackHealth } from "./health/health-file.js";
import { type Clock, systemClock } from "./invites/expiry.js";
import { mayCreateContactInvite, type Policy } from "./invites/permissions.js";
import { InviteService } from "./invites/service.js";
import type { ManagedInviteStore } from "./invites/store.js";
import type { RandomSource } from "./invites/token.js";
import { usernameRuleFor } from "./invites/username.js";
import { bareJid } from "./jid.js";
import { createLogger, type Logger } from "./logger.js";
import { UseEventConsumer } from "./notifications/consumer.js";
import { chooseRegistrationWhenOnline } from "./registration/ways.js";
import { RedisInviteStore } from "./storage/redis-store.js";
import { SOFTWARE } from "./version.js";
import { createWebApp, type WebApp, type WebAppDeps } from "./web/web-app.js";
import { createConnection } from "./xmpp/connection.js";
import { attachDelegation, delegatedRequester } from "./xmpp/delegation.js";
import { Disco } from "./xmpp/disco.js";
import { attachFloodControl } from "./xmpp/flood-control.js";
import { InFlight } from "./xmpp/in-flight.js";
import { attachMessages } from "./xmpp/messages.js";
import { NS } from "./xmpp/namespaces.js";
import { attachPresence } from "./xmpp/presence.js";
import { RateLimiter } from "./xmpp/rate-limit.js";
import { attachSoftwareVersion } from "./xmpp/software-version.js";

export interface AppDeps {
  readonly log?: Logger;
  readonly store?: ManagedInviteStore;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** For the web pages: other data files, registrar or limits (tests). */
  readonly web?: Partial<Omit<WebAppDeps, "store" | "log">>;
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
  readonly store: ManagedInviteStore;
  /** The invite web pages, when WEB_LISTEN is set. */
  readonly web: WebApp | undefined;
  /** Where the web pages listen (host:port) once started. */
  readonly webAddress: string | undefined;
  /** Connects to Redis and XMPP; resolves once the first XMPP attempt is over (reconnects go on). */
  start(): Promise<void>;
  /** Unavailable presence, stream close, Redis close. */
  stop(): Promise<void>;
}

/** How long a stop waits for requests under way. */
const STOP_GRACE_MS = 5_000;

/** XEP-0115 §4: a URI naming this software, for the caps node. */
const CAPS_NODE = "https://www.npmjs.com/package/xmpp-invite-bot";

export function createApp(config: Config, deps: AppDeps = {}): App {
  const log = deps.log ?? createLogger(config.logLevel);
  const clock = deps.clock ?? systemClock;
  const host = config.xmpp.domain;
  const policy: Policy = {
    domain: host,
    admins: config.admins,
    allowUserInvites: config.allowUserInvites,
    allowContactInvites: config.allowContactInvites,
    botJid: `${config.xmpp.username}@${host}`.toLowerCase(),
  };
  const store =
    deps.store ??
    new RedisInviteStore({
      url: config.redis.url,
      host,
      timeoutMs: config.redis.timeoutMs,
      signingKeys: config.signingKeys,
      log: log.child({ part: "redis" }),
      ...(deps.onFatal === undefined ? {} : { onFatal: deps.onFatal }),
    });
  // One username rule for every way an account is made (src/invites/username.ts, USERNAME_CONFUSABLES).
  const usernameRule = usernameRuleFor(policy, config.usernameConfusables);
  const service = new InviteService({
    store,
    policy,
    usernameRule,
    ttlSeconds: config.inviteTtlSeconds,
    quota: config.inviteQuota,
    invitePage: config.invitePage,
    clock,
    ...(deps.random === undefined ? {} : { random: deps.random }),
  });

  const connection = createConnection(config.xmpp, log.child({ part: "xmpp" }), (error) => deps.onFatal?.(error));
  const { xmpp } = connection;
  const selfJid = () => xmpp.jid?.toString() ?? `${config.xmpp.username}@${host}/${config.xmpp.resource}`;
  const contextFor = contextFactory(policy, log);

  const adhoc = new AdhocRegistry({ contextFor, selfJid, onError: adhocErrorFor(host) });
  for (const command of allAdhocCommands(service)) adhoc.register(command);

  const chat = new ChatRouter({
    contextFor,
    onError: chatErrorFor(host),
    hint: ({ actor }) => hintReply(host, mayCreateContactInvite(actor, policy) || actor.isAdmin),
    helpText: (_ctx, lines) => helpReply(host, lines),
  });
  for (const keyword of allChatKeywords(service, clock)) chat.register(keyword);

  const disco = new Disco(
    {
      identities: [{ category: "client", type: "bot", name: "Invite bot" }],
      features: [NS.discoInfo, NS.discoItems, NS.commands, NS.caps, NS.ping, NS.version],
    },
    CAPS_NODE,
  );
  // Before any IQ route: a flood is refused before it costs anything.
  const limiter = new RateLimiter({ burst: config.rateLimit.burst, perSecond: config.rateLimit.perSecond });
  const inFlight = new InFlight();
  const gate = attachFloodControl(
    xmpp,
    limiter,
    inFlight,
    log.child({ part: "flood" }),
    (stanza) => delegatedRequester(stanza, host) ?? stanza.attrs.from,
  );
  disco.addProvider(adhoc);
  disco.attach(xmpp);
  adhoc.attach(xmpp);
  // The same IQ routes for users whose app asked the server (prosody/mod_invites_bot.lua, docs/clients.md).
  attachDelegation(xmpp, { domain: host, log: log.child({ part: "delegation" }) });
  attachSoftwareVersion(xmpp, SOFTWARE);
  attachPresence(xmpp, {
    caps: () => disco.capsElement(),
    maySubscribe: (bare) => bare.endsWith(`@${host}`) || policy.admins.has(bare),
    status: 'Send me "help" to get an invite link',
    log: log.child({ part: "presence" }),
  });
  attachMessages(
    xmpp,
    (from, body) => chat.reply(from, body),
    () => bareJid(selfJid()),
    gate,
    log.child({ part: "chat" }),
  );

  // Tell inviters their invite was used (issue #4): only with a store that carries the events.
  const stream = store.eventStream?.(config.xmpp.resource);
  const notifier =
    stream === undefined
      ? undefined
      : new UseEventConsumer({
          stream,
          send: (to, text) => xmpp.send(xml("message", { to, type: "chat" }, xml("body", {}, text))),
          isOnline: () => xmpp.status === "online",
          admins: policy.admins,
          notifyAdmins: config.notifyAdmins,
          host,
          log: log.child({ part: "notify" }),
          ...(deps.noticeCap === undefined ? {} : { noticeCap: deps.noticeCap }),
        });

  // How accounts are made from invites: decided once online (REGISTRATION, src/registration/choose.ts).
  const registrar = chooseRegistrationWhenOnline(xmpp, {
    config,
    store,
    usernameRule,
    log: log.child({ part: "register" }),
    ...(deps.onFatal === undefined ? {} : { onFatal: deps.onFatal }),
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
          store,
          log: log.child({ part: "web" }),
        });
  let webAddress: string | undefined;
  let forgetHealth: (() => void) | undefined;

  return {
    xmpp,
    service,
    store,
    web,
    get webAddress() {
      return webAddress;
    },
    async start() {
      if (config.healthFile !== undefined) forgetHealth = trackHealth(xmpp, config.healthFile, log);
      store.connect();
      notifier?.start();
      if (web !== undefined) {
        try {
          webAddress = await web.start();
        } catch (error) {
          log.error("Cannot listen for the web pages on WEB_LISTEN", {
            listen: `${config.web?.listen.host}:${config.web?.listen.port}`,
            error: (error as Error).message,
          });
          deps.onFatal?.(error as Error);
          return;
        }
      }
      await connection.start();
    },
    async stop() {
      // Finish and answer what is under way (new requests are told to come back), then leave.
      if (inFlight.size > 0) log.info("Finishing the requests under way before stopping", { pending: inFlight.size });
      const drained = await inFlight.drain(STOP_GRACE_MS);
      if (!drained) log.warn("Stopping with requests still unanswered", { pending: inFlight.size });
      await notifier?.stop();
      await web?.stop();
      registrar.stop();
      await connection.stop();
      await store.close();
      forgetHealth?.();
    },
  };
}
