/**
 * XMPP_DEBUG: every stanza through @xmpp/debug (which already hides SASL
 * exchanges), with invite tokens cut short as well, so that no log at any
 * level holds a whole token (DESIGN.md §2).
 */
import { EventEmitter } from "node:events";
import type { Client } from "@xmpp/client";
import debug from "@xmpp/debug";
import { type Element, xml } from "@xmpp/xml";

// A whole token: 24 base64url characters standing alone (Prosody's id.medium()).
const TOKEN = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/gu;

export function redactTokens(text: string): string {
  return text.replace(TOKEN, "$1…");
}

/** A copy of the element with every token in attributes and text shortened. */
function redacted(element: Element): Element {
  const attrs: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(element.attrs)) {
    attrs[name] = typeof value === "string" ? redactTokens(value) : value;
  }
  return xml(
    element.name,
    attrs,
    ...element.children.map((child) => (typeof child === "string" ? redactTokens(child) : redacted(child))),
  );
}

/** Prints what the client sends and receives, tokens shortened. */
export function attachDebugLog(xmpp: Client): void {
  const view = new EventEmitter();
  xmpp.on("element", (element: Element) => view.emit("element", redacted(element)));
  xmpp.on("send", (element: Element) => view.emit("send", redacted(element)));
  xmpp.on("status", (...args: unknown[]) => view.emit("status", ...args));
  xmpp.on("error", (error: Error) => view.emit("error", error));
  debug(view as unknown as Client, true);
}
