/** Matching incoming stanzas, with a readable description for timeout errors. */
import type { Element } from "@xmpp/xml";

/** Fields a stanza must have; all given fields must match. */
export interface StanzaSpec {
  /** A bare JID matches any resource of it; a full JID must match exactly. */
  from?: string;
  type?: string;
  /** Exact `<body/>` text, or a pattern it must match. */
  body?: string | RegExp;
}

export type StanzaMatcher = StanzaSpec | ((stanza: Element) => boolean);

/** The bare part of a JID string (no resource). */
export function bareJid(jid: string): string {
  const slash = jid.indexOf("/");
  return slash === -1 ? jid : jid.slice(0, slash);
}

/** True when `stanza` satisfies `matcher` (undefined matches everything). */
export function matches(stanza: Element, matcher: StanzaMatcher | undefined): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === "function") return matcher(stanza);
  const { from, type, body } = matcher;
  if (from !== undefined) {
    const actual = stanza.attrs.from ?? "";
    if (from.includes("/") ? actual !== from : bareJid(actual) !== from) return false;
  }
  if (type !== undefined && (stanza.attrs.type ?? "normal") !== type) return false;
  if (body !== undefined) {
    const text = stanza.getChildText("body");
    if (text === null) return false;
    if (typeof body === "string" ? text !== body : !body.test(text)) return false;
  }
  return true;
}

/** "a message from bob@localhost with type chat", for error messages. */
export function describeMatcher(kind: string, matcher: StanzaMatcher | undefined): string {
  if (matcher === undefined) return `a ${kind}`;
  if (typeof matcher === "function") return `a ${kind} matching ${matcher.name || "the predicate"}`;
  const parts = [`a ${kind}`];
  if (matcher.from !== undefined) parts.push(`from ${matcher.from}`);
  if (matcher.type !== undefined) parts.push(`of type ${matcher.type}`);
  if (matcher.body !== undefined) parts.push(`with body ${String(matcher.body)}`);
  return parts.join(" ");
}
