/**
 * Presence: the bot is visibly online with entity caps (XEP-0115), and it
 * accepts subscription requests from people it serves, subscribing back so
 * their clients show it online and can list its commands (RFC 6121 §3). A request that carries an invite token
 * (XEP-0379 §3: an app that opened the invite page's "join with your account" link) is also handed on, for the
 * account to join the invite's circles where the bot is the registration hook (src/registration/existing-join.ts).
 * Its priority says which instance of several answers the bot's bare JID (docs/instances.md): RFC 6121 §8.5.2.1.1,
 * a message to the bare JID goes to the available resources of highest non-negative priority, none to a negative one.
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
  /** The priority of the first available presence (RFC 6121 §4.7.2.3); 0 unless given. */
  readonly priority?: number;
  /** A subscription request with a XEP-0379 token, from `from` (bare); handed on after it is answered as usual. */
  readonly onPreauth?: (from: string, token: string) => void;
  readonly log: Logger;
}

export function availablePresence(options: PresenceOptions, priority = options.priority ?? 0): Element {
  return xml("presence", {}, xml("status", {}, options.status), xml("priority", {}, String(priority)), options.caps());
}

/** The bot's presence once attached: its priority can change while online. */
export interface Presence {
  /**
   * Announces `priority` (keeping status and caps), at once when online, else with the next login's presence. From
   * a negative priority to a non-negative one it goes unavailable first: Prosody (mod_presence) hands stored offline
   * messages over only with an *initial* available presence of non-negative priority, so the new one must be one.
   */
  setPriority(priority: number): Promise<void>;
  /**
   * Makes each login's first available presence wait for `ready` (bounded by its giver): so an instance that learns
   * its role at once announces it in its first presence, rather than going unavailable and back right away.
   */
  announceAfter(ready: () => Promise<unknown>): void;
}

export function attachPresence(xmpp: Client, options: PresenceOptions): Presence {
  let priority = options.priority ?? 0;
  /** The initial presence of this login went out (later changes are sent as they come). */
  let announced = false;
  let ready: () => Promise<unknown> = async () => undefined;
  xmpp.on("disconnect", () => {
    announced = false;
  });
  xmpp.on("online", async () => {
    announced = false;
    try {
      // RFC 6121 §2.1.6 / §3.1.3: servers deliver subscription requests (and re-send
      // pending ones) only to "interested resources", those that fetched the roster.
      await xmpp.iqCaller.request(xml("iq", { type: "get" }, xml("query", { xmlns: NS.roster })));
      await ready().catch(() => undefined);
      // The priority as it is now: a change made while the roster came is in it.
      await xmpp.send(availablePresence(options, priority));
      announced = true;
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
  return {
    announceAfter(wait) {
      ready = wait;
    },
    async setPriority(next) {
      if (next === priority) return;
      const rising = priority < 0 && next >= 0;
      priority = next;
      if (!announced) return;
      const stanzas = [availablePresence(options, next)];
      if (rising) stanzas.unshift(xml("presence", { type: "unavailable" }));
      await xmpp.sendMany(stanzas).catch((error: Error) => {
        options.log.warn("Could not announce the new presence priority", { priority: next, error: error.message });
      });
    },
  };
}
