/**
 * The gate in front of every IQ request to the bot (xmpp.js middleware, before
 * any route): refuses new work while stopping, applies the rate limiter, and
 * follows admitted requests until they are answered. Chat messages go through
 * the same limiter and tracker in messages.ts.
 */
import type { Client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import type { InFlight } from "./in-flight.js";
import { type RateLimiter, slowDownText } from "./rate-limit.js";
import { stanzaError } from "./stanza-error.js";

/**
 * `requesterOf` names whom a request is for: its `from`, or for a request the server forwarded on a user's behalf
 * (src/xmpp/delegation.ts) that user, so that each user keeps a budget of their own.
 */
export function attachFloodControl(
  xmpp: Client,
  limiter: RateLimiter,
  inFlight: InFlight,
  log: Logger,
  requesterOf: (stanza: Element) => string | undefined = (stanza) => stanza.attrs.from,
): void {
  xmpp.middleware.use((ctx, next) => {
    const { stanza } = ctx;
    const type = stanza.attrs.type;
    const requester = requesterOf(stanza);
    if (!stanza.is("iq") || (type !== "get" && type !== "set") || requester === undefined) return next();
    if (inFlight.closing)
      return stanzaError("wait", "service-unavailable", "The bot is restarting; please try again in a moment.");
    const decision = limiter.take(bareJid(requester), "iq");
    if (decision.allowed) return inFlight.track(Promise.resolve(next()));
    if (decision.firstRefusal) log.warn("Rate-limiting a requester", { from: bareJid(requester) });
    // XEP-0205 / RFC 6120 §8.3.3.18: resource-constraint, try again later.
    return stanzaError("wait", "resource-constraint", slowDownText(decision.retryAfterMs));
  });
}
