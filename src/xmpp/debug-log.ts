/**
 * XMPP_DEBUG: every stanza through @xmpp/debug (which already hides SASL
 * exchanges), with invite tokens cut short as well, so that no log at any
 * level holds a whole token. The trace works on a copy made without
 * recursion and cut off deep down, so no stanza can make it throw.
 */
import { EventEmitter } from "node:events";
import type { Client } from "@xmpp/client";
import debug from "@xmpp/debug";
import { Element } from "@xmpp/xml";

// A whole token: 24 base64url characters standing alone (Prosody's id.medium()), or right after a
// percent-encoded "=" (`preauth%3DTOKEN` in a URL-encoded {uri}, `%253D` when encoded twice).
const TOKEN = /((?<![A-Za-z0-9_-])|(?<=%(?:25)?3[Dd]))([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/gu;

// An HTTP API key (docs/api.md: `xib_` and 43 base64url characters), which the bot sends once in a chat reply.
const API_KEY = /xib_([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{39}(?![A-Za-z0-9_-])/gu;

export function redactTokens(text: string): string {
  return text.replace(API_KEY, "xib_$1…").replace(TOKEN, "$2…");
}

/** Elements below this depth are left out of the trace (real stanzas are a dozen deep at most). */
const MAX_TRACE_DEPTH = 32;
const CUT = "[deeper elements not shown]";

/**
 * A copy of the element for the trace: tokens shortened in attributes and text,
 * built with an explicit stack (RFC 6120 sets no depth limit; a hostile stanza
 * 12,000 elements deep must not exhaust the call stack).
 */
export function traceCopy(element: Element): Element {
  const copyOf = (source: Element): Element => {
    const attrs: Record<string, string> = {};
    for (const [name, value] of Object.entries(source.attrs)) {
      if (typeof value === "string") attrs[name] = redactTokens(value);
    }
    return new Element(source.name, attrs);
  };
  const root = copyOf(element);
  const stack: Array<{ source: Element; copy: Element; depth: number }> = [{ source: element, copy: root, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { source, copy, depth } = item;
    for (const child of source.children) {
      if (typeof child === "string") {
        copy.t(redactTokens(child));
      } else if (depth + 1 >= MAX_TRACE_DEPTH) {
        copy.t(CUT);
        break;
      } else {
        const childCopy = copyOf(child);
        copy.cnode(childCopy);
        stack.push({ source: child, copy: childCopy, depth: depth + 1 });
      }
    }
  }
  return root;
}

/** The copy, or a note when even that fails: the trace must never take the bot down. */
function safeCopy(element: Element): Element {
  try {
    return traceCopy(element);
  } catch (error) {
    return new Element("untraceable").t(`(${(error as Error).name})`);
  }
}

/** Prints what the client sends and receives, tokens shortened. */
export function attachDebugLog(xmpp: Client): void {
  const view = new EventEmitter();
  xmpp.on("element", (element: Element) => view.emit("element", safeCopy(element)));
  xmpp.on("send", (element: Element) => view.emit("send", safeCopy(element)));
  xmpp.on("status", (...args: unknown[]) => view.emit("status", ...args));
  xmpp.on("error", (error: Error) => view.emit("error", error));
  debug(view as unknown as Client, true);
}
