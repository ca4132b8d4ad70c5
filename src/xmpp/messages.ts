/** Chat messages in, one reply out (RFC 6121 §5). */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import type { InFlight } from "./in-flight.js";
import { NS } from "./namespaces.js";
import { type RateLimiter, slowDownText } from "./rate-limit.js";

export type ReplyFn = (from: string, body: string) => Promise<string>;

/**
 * A reply that carries an invite or a reset link (they all contain `preauth=`)
 * must not be archived or copied to the user's other clients: XEP-0334 §4
 * no-store / no-copy for message archives (XEP-0313), and XEP-0280 §7 private
 * for carbons. Whoever holds the archive would otherwise hold the link.
 */
export function privacyHints(text: string): Element[] {
  if (!text.includes("preauth=")) return [];
  return [
    xml("no-store", { xmlns: NS.hints }),
    xml("no-copy", { xmlns: NS.hints }),
    xml("private", { xmlns: NS.carbons }),
  ];
}

/**
 * Why a message must not be answered, or undefined when it may be: never
 * errors, groupchat or headlines (RFC 6121 §5.2.2, XEP-0045), never without a
 * body (chat states, receipts), never ourselves or a server (no bot loops).
 */
export function reasonToIgnore(stanza: Element, selfBare: string): string | undefined {
  const type = stanza.attrs.type ?? "normal";
  if (type !== "chat" && type !== "normal") return `type ${type}`;
  const from = stanza.attrs.from;
  if (from === undefined) return "no sender";
  const bare = bareJid(from);
  if (!bare.includes("@")) return "sent by a server";
  if (bare === selfBare) return "sent by myself";
  const body = stanza.getChildText("body");
  if (body === null || body.trim() === "") return "no body";
  return undefined;
}

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
              ...privacyHints(text),
            ),
          ),
        ),
      )
      .catch((error: Error) => log.error("Could not answer a chat message", { from, error: error.message }));
  });
}
