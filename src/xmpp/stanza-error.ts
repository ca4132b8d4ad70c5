import { type Element, xml } from "@xmpp/xml";
import type { StanzaErrorType } from "../errors.js";
import { NS } from "./namespaces.js";

/**
 * An `<error/>` child (RFC 6120 §8.3): a defined condition, an optional
 * human-readable text and an optional application-specific condition.
 * xmpp.js's IQ callee wraps it into `<iq type='error'/>` when a handler returns it.
 */
export function stanzaError(type: StanzaErrorType, condition: string, text?: string, specific?: Element): Element {
  return xml(
    "error",
    { type },
    xml(condition, { xmlns: NS.stanzas }),
    text === undefined ? null : xml("text", { xmlns: NS.stanzas, "xml:lang": "en" }, text),
    specific,
  );
}
