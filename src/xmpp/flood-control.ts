/**
 * The flood gate: one for the whole bot, in front of every request in xmpp.js's middleware chain. It refuses new work
 * while stopping, applies the rate limiter (a token bucket per bare JID), and follows admitted requests until they are
 * answered. `attachFloodControl` puts it before every IQ route (iq-routes.ts, delegation.ts); chat messages meet the
 * same gate in their own middleware (messages.ts), once they are known to be worth an answer. With a shared budget
 * (shared-flood.ts), what the local bucket admits is counted across all the bot's instances too (`confirm`), so
 * that two instances do not give a requester twice the budget.
 */
import type { Client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import type { InFlight } from "./in-flight.js";
import { type RateLimiter, slowDownText } from "./rate-limit.js";
import type { SharedFloodBudget } from "./shared-flood.js";
import { stanzaError } from "./stanza-error.js";

/** What the gate says of one request: handle it, it came while stopping, or its requester is over the limit. */
export type Admission =
  | { readonly outcome: "admitted" }
  | { readonly outcome: "closing" }
  | { readonly outcome: "refused"; readonly retryAfterMs: number; readonly firstRefusal: boolean };

const ADMITTED: Admission = { outcome: "admitted" };

export class FloodGate {
  readonly #limiter: RateLimiter;
  readonly #inFlight: InFlight;
  readonly #shared: SharedFloodBudget | undefined;

  constructor(limiter: RateLimiter, inFlight: InFlight, shared?: SharedFloodBudget) {
    this.#limiter = limiter;
    this.#inFlight = inFlight;
    this.#shared = shared;
  }

  /**
   * Takes a token from `requester`'s bare JID for one request on `channel` ("iq", "chat": each channel hears of a
   * flood once, `firstRefusal`); takes none while stopping.
   */
  admit(requester: string, channel: string): Admission {
    if (this.#inFlight.closing) return { outcome: "closing" };
    const decision = this.#limiter.take(bareJid(requester), channel);
    if (decision.allowed) return { outcome: "admitted" };
    return { outcome: "refused", retryAfterMs: decision.retryAfterMs, firstRefusal: decision.firstRefusal };
  }

  /**
   * For a request `admit` admitted: the budget shared with the other instances (shared-flood.ts), one round trip to
   * the store, skipped while it is away. Admitted without a shared budget. Call it inside `track`, so that a stop
   * waits for it like for the rest of the request.
   */
  async confirm(requester: string, channel: string): Promise<Admission> {
    if (this.#shared === undefined) return ADMITTED;
    const decision = await this.#shared.take(bareJid(requester), channel);
    if (decision.allowed) return ADMITTED;
    return { outcome: "refused", retryAfterMs: decision.retryAfterMs, firstRefusal: decision.firstRefusal };
  }

  /** Follows the handling of a request (admitted, or told to slow down) until it settles, so a stop waits for it. */
  track<T>(work: Promise<T>): Promise<T> {
    return this.#inFlight.track(work);
  }
}

/**
 * Puts the gate in front of every IQ request (xmpp.js middleware, before any route) and returns it, for the other
 * middleware that gate their requests with it. `requesterOf` names whom a request is for: its `from`, or for a
 * request the server forwarded on a user's behalf (src/xmpp/delegation.ts) that user, so that each user keeps a
 * budget of their own. With `shared`, one budget for all the bot's instances (shared-flood.ts).
 */
export function attachFloodControl(
  xmpp: Client,
  limiter: RateLimiter,
  inFlight: InFlight,
  log: Logger,
  requesterOf: (stanza: Element) => string | undefined = (stanza) => stanza.attrs.from,
  shared?: SharedFloodBudget,
): FloodGate {
  const gate = new FloodGate(limiter, inFlight, shared);
  const refusal = (requester: string, admission: Exclude<Admission, { outcome: "admitted" }>) => {
    switch (admission.outcome) {
      case "closing":
        return stanzaError("wait", "service-unavailable", "The bot is restarting; please try again in a moment.");
      case "refused":
        if (admission.firstRefusal) log.warn("Rate-limiting a requester", { from: bareJid(requester) });
        // XEP-0205 / RFC 6120 §8.3.3.18: resource-constraint, try again later.
        return stanzaError("wait", "resource-constraint", slowDownText(admission.retryAfterMs));
    }
  };
  xmpp.middleware.use((ctx, next) => {
    const { stanza } = ctx;
    const type = stanza.attrs.type;
    const requester = requesterOf(stanza);
    if (!stanza.is("iq") || (type !== "get" && type !== "set") || requester === undefined) return next();
    const admission = gate.admit(requester, "iq");
    if (admission.outcome !== "admitted") return refusal(requester, admission);
    // Followed from here on: the shared count and the handling alike.
    return gate.track(
      gate
        .confirm(requester, "iq")
        .then((shared) => (shared.outcome === "admitted" ? next() : refusal(requester, shared))),
    );
  });
  return gate;
}
