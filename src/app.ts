/**
 * createApp wires every part and does no I/O; start() connects: tests build the app without touching the network.
 * Tests build the same app against a private Prosody and Redis.
 */

import { accountControl } from "./app/account-control.js";
import type { App, AppDeps } from "./app/app-types.js";
import { heldAccounts } from "./app/approvals.js";
import { circleRooms } from "./app/circle-rooms.js";
import { type Component, stopOnce } from "./app/component.js";
import { consoleLogins } from "./app/console-logins.js";
import { appEvents } from "./app/events.js";
import { httpApi } from "./app/http-api.js";
import { instanceRole } from "./app/instance-role.js";
import { startListenersAfter } from "./app/listeners.js";
import { useNotices } from "./app/use-notices.js";
import { userInviteLimits } from "./app/user-invite-limits.js";
import { webListener } from "./app/web-listener.js";
import { webPages } from "./app/web-pages.js";
import { attachXmppSide } from "./app/xmpp-side.js";
import { CircleService } from "./circles/service.js";
import type { Config } from "./config.js";
import { trackHealth } from "./health/health-file.js";
import { systemClock } from "./invites/expiry.js";
import type { Policy } from "./invites/permissions.js";
import { InviteService } from "./invites/service.js";
import { usernameRuleFor } from "./invites/username.js";
import { createLogger } from "./logger.js";
import { opsListener } from "./ops/listener.js";
import { chooseRegistrationWhenOnline } from "./registration/ways.js";
import { serviceStore } from "./storage/backend.js";
import { redisBackend } from "./storage/redis-backend.js";
import { createRedisClient } from "./storage/redis-client.js";
import { createConnection } from "./xmpp/connection.js";
import { ROLES_ON_JOIN_FEATURE, serverFeatures } from "./xmpp/server-features.js";
import { serverUserRoles } from "./xmpp/user-roles.js";

export type { App, AppDeps };

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
      redis: createRedisClient(config.redis, config.redis.timeoutMs),
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
  // /healthz and /metrics on a listener of their own (OPS_LISTEN, docs/operations.md); `role` is read lazily.
  const ops = opsListener(config.ops, {
    events,
    xmppStatus: () => xmpp.status,
    role: () => role.leadership.role,
    log: log.child({ part: "ops" }),
    onFatal: deps.onFatal,
  });
  const features = serverFeatures(xmpp, host, log.child({ part: "xmpp" }));
  // The circles' group chats, over the bot's session: left with the circle, created or checked when added.
  const { rooms, roomSetup } = circleRooms(xmpp, config, log.child({ part: "rooms" }));
  const circles = new CircleService({ store: storage.circles, policy, clock, events, rooms, roomSetup });
  const random = deps.random === undefined ? {} : { random: deps.random };
  const service = new InviteService({
    ...{ store, policy, usernameRule, clock, events, circles, ...random },
    ttlSeconds: config.inviteTtlSeconds,
    ...userInviteLimits(config),
    userRoles: serverUserRoles(xmpp, host, features),
    invitePage: config.invitePage,
    roles: { rolesOnJoin: () => features.has(ROLES_ON_JOIN_FEATURE) },
    // Disabling accounts as a server administrator (docs/trees.md).
    accounts: accountControl(xmpp, config, log.child({ part: "accounts" })),
    approvals: heldAccounts(xmpp, storage, () => registrar),
  });
  const logins = consoleLogins(xmpp, { config, policy, storage, clock, ...random });
  const api = httpApi({ policy, storage, store, clock, ...random, log: log.child({ part: "api" }) });
  const { presence, ...requests } = attachXmppSide(xmpp, {
    ...{ config, policy, service, circles, clock, log },
    console: logins.access,
    // The API is served by the web server: without it, no keys to make (docs/api.md).
    ...(config.web === undefined ? {} : { apiKeys: api.keys }),
    floodCounter: storage.hits,
    // Existing accounts join circles through the bot only where it makes the accounts (docs/circles.md).
    joins: { claims: storage.claims, circles: storage.circles, botIsHook: () => registrar.way === "bot" },
  });

  // Tell inviters their invite was used: only with a backend that carries the events.
  const notifier = useNotices(xmpp, storage, { config, policy, events, log, noticeCap: deps.noticeCap });

  // How accounts are made from invites: decided once online (REGISTRATION, src/registration/choose.ts).
  const registrar = chooseRegistrationWhenOnline(xmpp, {
    config,
    ...{ claims: storage.claims, circles: storage.circles, approvals: storage.approvals },
    usernameRule,
    log: log.child({ part: "register" }),
    events,
    ...onFatal,
    ...(deps.settleAfterMs === undefined ? {} : { settleAfterMs: deps.settleAfterMs }),
  });

  const pages = webPages(
    config,
    {
      ...deps.web,
      registrar: ops.countRegistrations(deps.web?.registrar ?? registrar),
      // A server without our hook has no XEP-0379 pre-approval either (docs/servers.md).
      preApproves: () => registrar.way !== "bot",
      usernameRule,
      invites: storage.invites,
      hits: storage.hits,
      circles: storage.circles,
      console: logins.web(service, api.keys, circles),
      api: api.web(service),
      log: log.child({ part: "web" }),
    },
    (server) => ops.countWebRequests(server),
  );
  const listening = webListener(pages, config, log, deps.onFatal);
  // One instance of several leads: it alone answers the bot's bare JID (docs/instances.md).
  const lease = storage.leader?.(config.xmpp.username.toLowerCase());
  const role = instanceRole(xmpp, presence, {
    lease,
    resource: config.xmpp.resource,
    events,
    log: log.child({ part: "leader" }),
  });
  let forgetHealth: (() => void) | undefined;

  // The lifecycle. What the bot stands on starts first and stops last, in reverse; what uses the XMPP session
  // starts before it connects and stops, in this order, before it closes; the listeners start beside it.
  const ground: Component[] = [
    {
      start: () => {
        if (config.healthFile !== undefined) forgetHealth = trackHealth(xmpp, config.healthFile, log);
      },
      stop: () => forgetHealth?.(),
    },
    storage,
    // Stopped after the stream closed and before the store: the lease is free only once this instance left.
    role,
  ];
  const sessionUsers: Component[] = [requests, ...(notifier === undefined ? [] : [notifier]), registrar];

  // The operations listener stops last: it reports on the others until they are gone.
  const stop = stopOnce([listening, ...sessionUsers, connection, ...[...ground].reverse(), ops]);

  return {
    xmpp,
    service,
    circles,
    store,
    storage,
    get web() {
      return listening.web;
    },
    events,
    role: () => role.leadership.role,
    get webAddress() {
      return listening.address;
    },
    get opsAddress() {
      return ops.address;
    },
    async start() {
      for (const part of [...ground, ...sessionUsers]) if ((await part.start?.()) === false) return;
      // The listeners start once the session's first attempt is over (src/app/listeners.ts), the pages after the
      // operations listener, which counts their answers. A port either cannot have ends the start: the app stops.
      const connected = connection.start();
      const listened = await startListenersAfter(connected, [ops, listening]);
      await connected;
      if (!listened) await stop();
    },
    stop,
  };
}
