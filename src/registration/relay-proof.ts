/**
 * The bot's relay proof (docs/web.md, "How the account is created"): inside the XEP-0401 §4 preauth, a MAC of
 * the invite token that only a holder of the invite signing key can make. Every registration through the web pages
 * comes from the bot's one address, which Prosody's per-address limit on invite checks would soon stop; with the
 * proof our module knows that the bot relays a visitor's invite (and the bot limits each visitor itself, docs/web.md),
 * so the server needs no list of the bot's addresses.
 */
import { type Element, xml } from "@xmpp/xml";
import { macOf } from "../storage/record.js";
import { NS } from "../xmpp/namespaces.js";

/** Not the record tag's context: a tag can never pass for a proof, nor a proof for a tag. */
export const RELAY_CONTEXT = "xmpp-invite-bot/relay/0";

/** base64url(HMAC-SHA256(key, RELAY_CONTEXT \n host \n token)): good for this token on this host only. */
export function relayProof(key: string, host: string, token: string): string {
  return macOf(key, RELAY_CONTEXT, [host, token]).toString("base64url");
}

/** `<relay xmlns='urn:xmpp-invite-bot:relay:0' proof='…'/>`, the bot's child of `<preauth/>`. */
export function relayElement(key: string, host: string, token: string): Element {
  return xml("relay", { xmlns: NS.relay, proof: relayProof(key, host, token) });
}
