/**
 * What a server's stanza errors during in-band registration with an invite mean for the visitor. Pure.
 *
 * The words come from the server (RFC 6120 §8.3.3 conditions plus its text): Prosody's mod_register_ibr answers
 * `conflict` for a taken name (our module too, for a name held for another invite) and `not-acceptable` for an
 * invalid one; a `user-registering` hook (our module, mod_invites_register, a password policy) refuses with its own
 * condition and text; XEP-0401 §4 preauth refusals are `forbidden` or `item-not-found`; Prosody's throttles answer
 * `policy-violation`.
 */
import type { RegistrationFailure } from "./registrar.js";

export interface StanzaErrorLike {
  readonly condition: string;
  readonly text?: string | undefined;
  readonly type?: string | undefined;
}

const INVITE_REFUSED = new Set([
  "forbidden",
  "item-not-found",
  "not-allowed",
  "registration-required",
  "not-authorized",
]);

/** The failure a refused preauth or registration IQ stands for. */
export function failureOf(error: StanzaErrorLike): RegistrationFailure {
  const text = error.text ?? "";
  switch (error.condition) {
    case "conflict":
      // Our module: "The username NAME is held for another invite" (prosody/invites_redis_held.lib.lua).
      return /is held for another invite/iu.test(text) ? "username-held" : "username-taken";
    case "not-acceptable":
    case "bad-request":
      if (/password/iu.test(text)) return "password-refused";
      // Our module: "This invite is for the username NAME only".
      if (/for the username .+ only/iu.test(text)) return "wrong-username";
      return "username-invalid";
    case "jid-malformed":
      return "username-invalid";
    case "policy-violation":
      if (error.type !== "wait" && /password/iu.test(text)) return "password-refused";
      return "throttled";
    default:
      return INVITE_REFUSED.has(error.condition) ? "invite-invalid" : "unavailable";
  }
}
