/**
 * The gate in front of every IQ request to the bot (xmpp.js middleware, before
 * any route): refuses new work while stopping, applies the rate limiter, and
 * follows admitted requests until they are answered. Chat messages go through
 * the same limiter and tracker in messages.ts.
 */
import type { Client } from "@xmpp/client";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import type { InFlight } from "./in-flight.js";
import { type RateLimiter, slowDownText } from "./rate-limit.js";
import { stanzaError } from "./stanza-error.js";

export function attachFloodControl(xmpp: Client, limiter: RateLimiter, inFlight: InFlight, log: Logger): void {
  xmpp.middleware.use((ctx, next) => {
    const { stanza } = ctx;
    const type = stanza.attrs.type;
    if (!stanza.is("iq") || (type !== "get" && type !== "set") || stanza.attrs.from === undefined) return next();
    if (inFlight.closing)
      return stanzaError("wait", "service-unavailable", "The bot is restarting; please try again in a moment.");
    const decision = limiter.take(bareJid(stanza.attrs.from), "iq");
    if (decision.allowed) return inFlight.track(Promise.resolve(next()));
    if (decision.firstRefusal) log.warn("Rate-limiting a requester", { from: bareJid(stanza.attrs.from) });
    // XEP-0205 / RFC 6120 §8.3.3.18: resource-constraint, try again later.
    return stanzaError("wait", "resource-constraint", slowDownText(decision.retryAfterMs));
  });
}
