/**
 * Requests our Prosody module forwards on a user's behalf (prosody/mod_invites_bot.lua): a client that asks its
 * own server for the invite commands, and runs them there, reaches the bot this way (docs/clients.md).
 *
 * The wire format is XEP-0355's (Namespace Delegation, §5): the server sends
 * `<iq from='DOMAIN'><delegation xmlns='urn:xmpp:delegation:2'><forwarded xmlns='urn:xmpp:forward:0'>` with the
 * user's IQ inside, exactly as it came from the user's session (its `from` stamped by the server, RFC 6120 §8.1.2.1),
 * and gets back the same wrapper with the reply IQ. Only `XMPP_DOMAIN` itself may forward: a user cannot send a
 * stanza from the bare domain (the server stamps `from` on everything a client sends, and s2s checks the sending
 * domain), so no one can make the bot act for someone else.
 *
 * The user's IQ is answered from the client's one route table (iq-routes.ts), by the same handler as if the user had
 * asked the bot directly; what is not in the table is answered service-unavailable. The wrapper's own route is not
 * in it (a wrapper inside a wrapper is not answered), nor xmpp.js's own ping.
 */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { parseBareJid } from "../jid.js";
import type { Logger } from "../logger.js";
import { iqRoutes } from "./iq-routes.js";
import { NS } from "./namespaces.js";
import { stanzaError } from "./stanza-error.js";

/** The user's IQ inside a forwarding wrapper (XEP-0297 §4: in `jabber:client`), or undefined when there is none. */
export function forwardedIq(stanza: Element): Element | undefined {
  return stanza.getChild("delegation", NS.delegation)?.getChild("forwarded", NS.forward)?.getChild("iq", NS.client);
}

/** The requester a forwarded request is for (its inner `from`) when `domain` sent it; undefined otherwise. */
export function delegatedRequester(stanza: Element, domain: string): string | undefined {
  if (stanza.attrs.from !== domain) return undefined;
  return forwardedIq(stanza)?.attrs.from;
}

function isFullOrBareJid(address: string): boolean {
  const slash = address.indexOf("/");
  return parseBareJid(slash === -1 ? address : address.slice(0, slash)) !== undefined;
}

/**
 * The reply to the user's IQ, from the address they sent it to, wrapped for the server. XEP-0297 §4: the forwarded
 * stanza is in `jabber:client`; without it the IQ and its `<error/>` would be in the wrapper's namespace, and the
 * server would relay an error no client recognises.
 */
function wrapReply(inner: Element, answer: Element): Element {
  const attrs = { xmlns: NS.client, from: inner.attrs.to, to: inner.attrs.from, id: inner.attrs.id };
  const reply = answer.is("error")
    ? xml("iq", { ...attrs, type: "error" }, answer)
    : xml("iq", { ...attrs, type: "result" }, answer);
  return xml("delegation", { xmlns: NS.delegation }, xml("forwarded", { xmlns: NS.forward }, reply));
}

export function attachDelegation(xmpp: Client, options: { domain: string; log: Logger }): void {
  const { domain, log } = options;
  const routes = iqRoutes(xmpp);
  const handle = async (stanza: Element): Promise<Element> => {
    if (stanza.attrs.from !== domain) {
      log.warn("Refusing a forwarded request that does not come from the server", { from: stanza.attrs.from });
      return stanzaError("auth", "forbidden", `Only ${domain} may forward requests to this bot`);
    }
    const inner = forwardedIq(stanza);
    const child = inner?.getChildElements()[0];
    const from = inner?.attrs.from;
    const type = inner?.attrs.type;
    if (inner === undefined || child === undefined || from === undefined || !isFullOrBareJid(from)) {
      return stanzaError("modify", "bad-request", "Expected a forwarded <iq/> with a from and one child");
    }
    const handler = routes.find(type ?? "", child.getNS() ?? child.attrs.xmlns ?? "", child.name);
    const answer = handler === undefined ? stanzaError("cancel", "service-unavailable") : await handler(child, from);
    return wrapReply(inner, answer);
  };
  // Straight on xmpp.js's callee, not in the route table: the relay, not a request of its own.
  xmpp.iqCallee.set(NS.delegation, "delegation", ({ stanza }) => handle(stanza));
  xmpp.iqCallee.get(NS.delegation, "delegation", ({ stanza }) => handle(stanza));
}
