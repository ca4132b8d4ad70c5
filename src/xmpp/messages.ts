/** Chat messages in, one reply out (RFC 6121 §5). */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import type { FloodGate } from "./flood-control.js";
import { NS } from "./namespaces.js";
import { slowDownText } from "./rate-limit.js";

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

/**
 * Answers chat messages from xmpp.js's middleware chain, after the IQ gate: a message worth an answer
 * (`reasonToIgnore`) meets the same flood gate as IQ requests (flood-control.ts), on the "chat" channel, and its
 * answer is followed until sent. While stopping, messages go unanswered; over the limit, the requester is told to
 * slow down once, then hears nothing until they may ask again. Messages not answered go on down the chain.
 */
export function attachMessages(
  xmpp: Client,
  reply: ReplyFn,
  selfBare: () => string,
  gate: FloodGate,
  log: Logger,
): void {
  xmpp.middleware.use((ctx, next) => {
    const { stanza } = ctx;
    if (!stanza.is("message")) return next();
    const ignored = reasonToIgnore(stanza, selfBare());
    if (ignored !== undefined) {
      log.debug("Not answering a message", { from: stanza.attrs.from, reason: ignored });
      return next();
    }
    const from = stanza.attrs.from as string;
    const body = stanza.getChildText("body") ?? "";
    const thread = stanza.getChildText("thread");
    const admission = gate.admit(from, "chat");
    if (admission.outcome === "closing") return undefined;
    // Told once per flood, then silence: answering every message would feed a loop.
    if (admission.outcome === "refused" && !admission.firstRefusal) return undefined;
    // Admitted by this instance's bucket, then by the budget shared with the other instances (FloodGate.confirm).
    const answer: Promise<string | undefined> =
      admission.outcome === "admitted"
        ? gate.confirm(from, "chat").then((shared) => {
            if (shared.outcome === "admitted") return reply(from, body);
            return shared.outcome === "refused" && shared.firstRefusal ? slowDownText(shared.retryAfterMs) : undefined;
          })
        : Promise.resolve(slowDownText(admission.retryAfterMs));
    // Sent here rather than returned to xmpp.js, so that a stop waits for the sending and a failure is logged as ours.
    return gate
      .track(
        answer.then((text) =>
          text === undefined
            ? undefined
            : xmpp.send(
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
