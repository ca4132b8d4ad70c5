/**
 * A real `@xmpp/client`, never connected: stanzas go in through its whole middleware chain (xmpp.js's own parts,
 * then the bot's gate, routes and handlers) as if the server had sent them, and what it sends is kept instead of
 * written. For unit tests of how the parts sit in that chain.
 */
import { type Client, client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";

export interface OfflineClient {
  readonly xmpp: Client;
  /** Everything the client sent, in order. */
  readonly sent: Element[];
  /** Hands `stanza` to the client as received, and resolves once its middleware chain has settled. */
  receive(stanza: Element): Promise<void>;
  /** The next stanza sent from now on (a reply), waiting for it as long as `timeoutMs`. */
  reply(stanza: Element, timeoutMs?: number): Promise<Element>;
}

export function offlineClient(): OfflineClient {
  const xmpp = client({ service: "xmpp://127.0.0.1:1", domain: "example.org", username: "bot", password: "unused" });
  const sent: Element[] = [];
  const waiting: Array<(element: Element) => void> = [];
  const keep = async (element: Element) => {
    sent.push(element);
    waiting.shift()?.(element);
  };
  xmpp.send = keep;
  xmpp.sendMany = async (elements) => {
    for (const element of elements) await keep(element);
  };
  const receive = async (stanza: Element) => {
    xmpp.emit("element", stanza);
    // The chain runs in promises that nothing hands back; every handler here is in memory, so a few turns suffice.
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    xmpp,
    sent,
    receive,
    reply(stanza, timeoutMs = 2_000) {
      const next = new Promise<Element>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No reply to ${stanza.toString()}`)), timeoutMs);
        waiting.push((element) => {
          clearTimeout(timer);
          resolve(element);
        });
      });
      xmpp.emit("element", stanza);
      return next;
    },
  };
}
