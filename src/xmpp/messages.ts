/** Chat messages in, one reply out (RFC 6121 §5). */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { reasonToIgnore } from "../chat/router.js";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import type { InFlight } from "./in-flight.js";
import { type RateLimiter, slowDownText } from "./rate-limit.js";

export type ReplyFn = (from: string, body: string) => Promise<string>;

export function attachMessages(
  xmpp: Client,
  reply: ReplyFn,
  selfBare: () => string,
  limiter: RateLimiter,
  inFlight: InFlight,
  log: Logger,
): void {
  xmpp.on("stanza", (stanza: Element) => {
    if (!stanza.is("message")) return;
    const ignored = reasonToIgnore(stanza, selfBare());
    if (ignored !== undefined) {
      log.debug("Not answering a message", { from: stanza.attrs.from, reason: ignored });
      return;
    }
    const from = stanza.attrs.from as string;
    const body = stanza.getChildText("body") ?? "";
    const thread = stanza.getChildText("thread");
    if (inFlight.closing) return;
    const decision = limiter.take(bareJid(from), "chat");
    // Told once per flood, then silence: answering every message would feed a loop.
    if (!decision.allowed && !decision.firstRefusal) return;
    const answer = decision.allowed ? reply(from, body) : Promise.resolve(slowDownText(decision.retryAfterMs));
    inFlight
      .track(
        answer.then((text) =>
          xmpp.send(
            xml(
              "message",
              { to: from, type: "chat" },
              xml("body", {}, text),
              thread === null ? null : xml("thread", {}, thread),
            ),
          ),
        ),
      )
      .catch((error: Error) => log.error("Could not answer a chat message", { from, error: error.message }));
  });
}
