/**
 * What the bot answers over XMPP, wired onto the client by createApp (src/app.ts): the flood gate in front of every
 * IQ route and chat message, the ad-hoc commands and chat keywords on the invite service, disco with caps,
 * forwarded requests, XEP-0092 and presence (its priority set by the instance's role, src/app/leadership.ts). Stopping
 * it answers the requests under way first.
 */
import type { Client } from "@xmpp/client";
import { AdhocRegistry } from "../adhoc/registry.js";
import { ChatRouter } from "../chat/router.js";
import type { CircleService } from "../circles/service.js";
import type { CircleStore } from "../circles/store.js";
import { allAdhocCommands, allChatKeywords } from "../commands/all-commands.js";
import { helpReply, hintReply } from "../commands/chat-text.js";
import { contextFactory } from "../commands/context.js";
import { adhocErrorFor, chatErrorFor } from "../commands/error-edges.js";
import type { Config } from "../config.js";
import type { ApiKeyService } from "../invites/api-key-service.js";
import type { ConsoleAccess } from "../invites/console-access.js";
import type { Clock } from "../invites/expiry.js";
import { mayCreateContactInvite, type Policy } from "../invites/permissions.js";
import type { InviteService } from "../invites/service.js";
import type { HitCounter, InviteClaims } from "../invites/store.js";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import { EjabberdApiContacts } from "../registration/contacts.js";
import { ExistingAccountJoin } from "../registration/existing-join.js";
import { SOFTWARE } from "../version.js";
import { attachDelegation, delegatedRequester } from "../xmpp/delegation.js";
import { Disco } from "../xmpp/disco.js";
import { attachFloodControl } from "../xmpp/flood-control.js";
import { InFlight } from "../xmpp/in-flight.js";
import { attachMessages } from "../xmpp/messages.js";
import { NS } from "../xmpp/namespaces.js";
import { trackOwnResources } from "../xmpp/own-resources.js";
import { attachPresence, type Presence } from "../xmpp/presence.js";
import { RateLimiter } from "../xmpp/rate-limit.js";
import { SharedFloodBudget } from "../xmpp/shared-flood.js";
import { attachSoftwareVersion } from "../xmpp/software-version.js";

/** How long a stop waits for requests under way. */
const STOP_GRACE_MS = 5_000;

/**
 * RFC 6121 §4.7.2.3 and §8.5.2.1.1: the leader is available at 0, so messages to the bot's bare JID reach it; the
 * other instances at -1, reached only at their full JIDs (ad-hoc commands, disco), and never by offline messages.
 */
export const LEADER_PRIORITY = 0;
export const FOLLOWER_PRIORITY = -1;

/** XEP-0115 §4: a URI naming this software, for the caps node. */
const CAPS_NODE = "https://www.npmjs.com/package/xmpp-invite-bot";

export interface XmppSideOptions {
  /** The store's shared counters: the flood budget is one for every instance on the same Redis. */
  readonly floodCounter?: HitCounter;
  readonly config: Config;
  readonly policy: Policy;
  readonly service: InviteService;
  readonly circles: CircleService;
  readonly clock: Clock;
  readonly log: Logger;
  /** The web console's logins: chat `login`/`logout` and the ad-hoc "Log in to the web console" (docs/console.md). */
  readonly console?: ConsoleAccess;
  /** The HTTP API's keys: chat `apikey …` for admins (docs/api.md). */
  readonly apiKeys?: ApiKeyService;
  /**
   * For existing accounts that join an invite's circles through its link (docs/circles.md), where the bot is the
   * registration hook (`botIsHook`); without it, such requests are answered as any other.
   */
  readonly joins?: {
    readonly claims: InviteClaims | undefined;
    readonly circles: Pick<CircleStore, "find" | "addMember">;
    readonly botIsHook: () => boolean;
  };
}

/** The join of existing accounts, when the storage can claim invites; contacts only through ejabberd's API. */
function existingJoin(config: Config, joins: XmppSideOptions["joins"], log: Logger): ExistingAccountJoin | undefined {
  if (joins?.claims === undefined) return undefined;
  const { xmpp, ejabberdApiUrl } = config;
  return new ExistingAccountJoin({
    domain: xmpp.domain.toLowerCase(),
    claims: joins.claims,
    circles: joins.circles,
    contacts:
      ejabberdApiUrl === undefined
        ? undefined
        : new EjabberdApiContacts(ejabberdApiUrl, `${xmpp.username}@${xmpp.domain}`, xmpp.password),
    acts: joins.botIsHook,
    log,
  });
}

/** What attachXmppSide gives back: the presence, whose priority follows the role, and the stop. */
export interface XmppSide {
  readonly presence: Presence;
  stop(): Promise<void>;
}

/**
 * Attaches every route and handler to `xmpp`; stop() finishes and answers what is under way. The presence starts at
 * priority -1, a follower's (docs/instances.md), until the instance's role says otherwise.
 */
export function attachXmppSide(xmpp: Client, options: XmppSideOptions): XmppSide {
  const { config, policy, service, circles, clock, log } = options;
  const host = config.xmpp.domain;
  const selfJid = () => xmpp.jid?.toString() ?? `${config.xmpp.username}@${host}/${config.xmpp.resource}`;
  const contextFor = contextFactory(policy, log);

  const adhoc = new AdhocRegistry({ contextFor, selfJid, onError: adhocErrorFor(host) });
  const services = {
    invites: service,
    circles,
    ...(options.console === undefined ? {} : { console: options.console }),
    ...(options.apiKeys === undefined ? {} : { apiKeys: options.apiKeys }),
  };
  for (const command of allAdhocCommands(services)) adhoc.register(command);

  const chat = new ChatRouter({
    contextFor,
    onError: chatErrorFor(host),
    hint: ({ actor }) => hintReply(host, mayCreateContactInvite(actor, policy) || actor.isAdmin),
    helpText: (_ctx, lines) => helpReply(host, lines),
  });
  for (const keyword of allChatKeywords(services, clock)) chat.register(keyword);

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
  // Shared with the other instances only while one is online: alone, the bucket is exact and asks Redis nothing.
  const shared =
    options.floodCounter === undefined
      ? undefined
      : new SharedFloodBudget(options.floodCounter, {
          ...config.rateLimit,
          log: log.child({ part: "flood" }),
          needed: trackOwnResources(xmpp).anyOther,
        });
  const gate = attachFloodControl(
    xmpp,
    limiter,
    inFlight,
    log.child({ part: "flood" }),
    (stanza) => delegatedRequester(stanza, host) ?? stanza.attrs.from,
    shared,
  );
  disco.addProvider(adhoc);
  disco.attach(xmpp);
  adhoc.attach(xmpp);
  // The same IQ routes for users whose app asked the server (prosody/mod_invites_bot.lua, docs/clients.md).
  attachDelegation(xmpp, { domain: host, log: log.child({ part: "delegation" }) });
  attachSoftwareVersion(xmpp, SOFTWARE);
  const joins = existingJoin(config, options.joins, log.child({ part: "register" }));
  const presence = attachPresence(xmpp, {
    caps: () => disco.capsElement(),
    priority: FOLLOWER_PRIORITY,
    maySubscribe: (bare) => bare.endsWith(`@${host}`) || policy.admins.has(bare),
    status: 'Send me "help" to get an invite link',
    ...(joins === undefined ? {} : { onPreauth: (from: string, token: string) => void joins.join(from, token) }),
    log: log.child({ part: "presence" }),
  });
  attachMessages(
    xmpp,
    (from, body) => chat.reply(from, body),
    () => bareJid(selfJid()),
    gate,
    log.child({ part: "chat" }),
  );

  return {
    presence,
    // Finish and answer what is under way (new requests are told to come back), then leave.
    async stop() {
      if (inFlight.size > 0) log.info("Finishing the requests under way before stopping", { pending: inFlight.size });
      const drained = await inFlight.drain(STOP_GRACE_MS);
      if (!drained) log.warn("Stopping with requests still unanswered", { pending: inFlight.size });
    },
  };
}
