/**
 * Presence: the bot is visibly online with entity caps (XEP-0115), and it
 * accepts subscription requests from people it serves, subscribing back so
 * their clients show it online and can list its commands (RFC 6121 §3). A request that carries an invite token
 * (XEP-0379 §3: an app that opened the invite page's "join with your account" link) is also handed on, for the
 * account to join the invite's circles where the bot is the registration hook (src/registration/existing-join.ts).
 */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import { NS } from "./namespaces.js";

export interface PresenceOptions {
  /** The `<c/>` element to include in every available presence. */
  readonly caps: () => Element;
  /** Whether this bare JID may see the bot's presence. */
  readonly maySubscribe: (bare: string) => boolean;
  readonly status: string;
  /** A subscription request with a XEP-0379 token, from `from` (bare); handed on after it is answered as usual. */
  readonly onPreauth?: (from: string, token: string) => void;
  readonly log: Logger;
}

export function availablePresence(options: PresenceOptions): Element {
  return xml("presence", {}, xml("status", {}, options.status), options.caps());
}

export function attachPresence(xmpp: Client, options: PresenceOptions): void {
  xmpp.on("online", async () => {
    try {
      // RFC 6121 §2.1.6 / §3.1.3: servers deliver subscription requests (and re-send
      // pending ones) only to "interested resources", those that fetched the roster.
      await xmpp.iqCaller.request(xml("iq", { type: "get" }, xml("query", { xmlns: NS.roster })));
      await xmpp.send(availablePresence(options));
    } catch (error) {
      options.log.warn("Could not announce presence", { error: (error as Error).message });
    }
  });
  // In xmpp.js's middleware chain like messages and IQs, but outside the flood gate: a subscription request is
  // answered as it comes, while stopping too; other presences go on down the chain.
  xmpp.middleware.use((ctx, next) => {
    const { stanza } = ctx;
    if (!stanza.is("presence") || stanza.attrs.type !== "subscribe" || stanza.attrs.from === undefined) return next();
    const from = bareJid(stanza.attrs.from);
    const allowed = options.maySubscribe(from);
    options.log.info(allowed ? "Accepting presence subscription" : "Refusing presence subscription", { from });
    const replies = allowed
      ? [xml("presence", { to: from, type: "subscribed" }), xml("presence", { to: from, type: "subscribe" })]
      : [xml("presence", { to: from, type: "unsubscribed" })];
    xmpp.sendMany(replies).catch(() => {});
    const token = stanza.getChild("preauth", NS.pars)?.attrs.token;
    if (allowed && typeof token === "string" && token !== "") options.onPreauth?.(from, token);
    return undefined;
  });
}
