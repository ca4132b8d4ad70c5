/**
 * The other available resources of the bot's own account — its other instances (docs/instances.md), or a person
 * logged in as the bot. RFC 6121 §4.2.2 and §4.4.2: the server sends each available resource the presence of the
 * account's other resources as they come and go, and a resource's own initial presence brings the others' current
 * ones. Alone, the bot needs no budget shared across instances (shared-flood.ts): its own bucket is exact.
 */
import type { Client } from "@xmpp/client";

export interface OwnResources {
  /** Whether another resource of the bot's account is available now. */
  readonly anyOther: () => boolean;
}

export function trackOwnResources(xmpp: Client): OwnResources {
  const others = new Set<string>();
  xmpp.on("online", () => others.clear());
  // Not cleared on a dropped connection: a resumed session (XEP-0198) gets the presences it missed, not all again;
  // a new session's initial presence brings every other resource's anew.
  xmpp.on("offline", () => others.clear());
  // Observed in xmpp.js's middleware chain like every incoming stanza, and passed on.
  xmpp.middleware.use((ctx, next) => {
    const { stanza } = ctx;
    const from: unknown = stanza.attrs.from;
    const own = xmpp.jid;
    if (stanza.is("presence") && own !== null && own !== undefined && typeof from === "string") {
      if (from !== own.toString() && from.startsWith(`${own.bare().toString()}/`)) {
        const type: unknown = stanza.attrs.type;
        if (type === undefined) others.add(from);
        else if (type === "unavailable" || type === "error") others.delete(from);
      }
    }
    return next();
  });
  return { anyOther: () => others.size > 0 };
}
