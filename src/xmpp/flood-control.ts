/**
 * Applies the rate limiter to every IQ request addressed to the bot (before
 * any handler runs) through xmpp.js's middleware; chat messages are limited
 * in messages.ts with the same limiter.
 */
import type { Client } from "@xmpp/client";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import { type RateLimiter, slowDownText } from "./rate-limit.js";
import { stanzaError } from "./stanza-error.js";

export function attachFloodControl(xmpp: Client, limiter: RateLimiter, log: Logger): void {
  xmpp.middleware.use((ctx, next) => {
    const { stanza } = ctx;
    const type = stanza.attrs.type;
    if (!stanza.is("iq") || (type !== "get" && type !== "set") || stanza.attrs.from === undefined) return next();
    const decision = limiter.take(bareJid(stanza.attrs.from), "iq");
    if (decision.allowed) return next();
    if (decision.firstRefusal) log.warn("Rate-limiting a requester", { from: bareJid(stanza.attrs.from) });
    // XEP-0205 / RFC 6120 §8.3.3.18: resource-constraint, try again later.
    return stanzaError("wait", "resource-constraint", slowDownText(decision.retryAfterMs));
  });
}
