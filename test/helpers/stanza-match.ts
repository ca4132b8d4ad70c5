/**
 * Naming the incoming stanza a test waits for, with a readable description for timeout errors. A matcher names a
 * particular stanza, never "the next one": who sent it, and for a message what it says or carries, so that a message
 * left over from an earlier step (a use notice, say) is never taken for the awaited one.
 */
import type { Element } from "@xmpp/xml";

/** A bare JID matches any resource of it; a full JID must match exactly. */
type From = { from: string };

/** A child element, e.g. `{ name: "x", xmlns: "jabber:x:data" }`. */
export interface ChildSpec {
  name: string;
  xmlns: string;
}

/** What sets a message apart from others of the same sender; at least one must be given. */
type MessageContent =
  | { body: string | RegExp; thread?: string; child?: ChildSpec }
  | { body?: string | RegExp; thread: string; child?: ChildSpec }
  | { body?: string | RegExp; thread?: string; child: ChildSpec };

/**
 * A message by its sender and its content: `body` (exact text or a pattern), `thread` (the bot answers in the
 * thread it was asked in, src/xmpp/messages.ts) or a `child` element; optionally its `type` ("normal" if absent).
 */
export type MessageMatcher = From & { type?: string } & MessageContent;

/** RFC 6121 §4.7.1; "available" is a presence without a type. */
export type PresenceType =
  | "available"
  | "unavailable"
  | "subscribe"
  | "subscribed"
  | "unsubscribe"
  | "unsubscribed"
  | "probe"
  | "error";

/** A presence by its sender and type (a sender sends one of each type per change it makes). */
export type PresenceMatcher = From & { type: PresenceType; child?: ChildSpec };

type AnyMatcher = From & { type?: string; body?: string | RegExp; thread?: string; child?: ChildSpec };

/** The bare part of a JID string (no resource). */
export function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return slash === -1 ? jid : jid.slice(0, slash);
}

/** A stanza's type, with the default RFC 6120/6121 give to one without it. */
function typeOf(stanza: Element): string {
  return stanza.attrs.type ?? (stanza.name === "presence" ? "available" : "normal");
}

/** True when `stanza` is a message matching `matcher`. */
export function matchesMessage(stanza: Element, matcher: MessageMatcher): boolean {
  return stanza.name === "message" && matchesAll(stanza, matcher);
}

/** True when `stanza` is a presence matching `matcher`. */
export function matchesPresence(stanza: Element, matcher: PresenceMatcher): boolean {
  return stanza.name === "presence" && matchesAll(stanza, matcher);
}

function matchesAll(stanza: Element, { from, type, body, thread, child }: AnyMatcher): boolean {
  const actual = stanza.attrs.from ?? "";
  if (from.includes("/") ? actual !== from : bareJid(actual) !== from) return false;
  if (type !== undefined && typeOf(stanza) !== type) return false;
  if (body !== undefined) {
    const text = stanza.getChildText("body");
    if (text === null) return false;
    if (typeof body === "string" ? text !== body : !body.test(text)) return false;
  }
  if (thread !== undefined && stanza.getChildText("thread") !== thread) return false;
  if (child !== undefined && stanza.getChild(child.name, child.xmlns) === undefined) return false;
  return true;
}

/** "a message from bob@localhost of type chat with body /x/", for error messages. */
export function describeMatcher(kind: "message" | "presence", matcher: MessageMatcher | PresenceMatcher): string {
  const { from, type, body, thread, child } = matcher as AnyMatcher;
  const parts = [`a ${kind} from ${from}`];
  if (type !== undefined) parts.push(`of type ${type}`);
  if (body !== undefined) parts.push(`with body ${String(body)}`);
  if (thread !== undefined) parts.push(`in thread ${thread}`);
  if (child !== undefined) parts.push(`with <${child.name} xmlns="${child.xmlns}"/>`);
  return parts.join(" ");
}
