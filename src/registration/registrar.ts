/**
 * How an account comes into being (docs/web.md, "How the account is created"): the web pages know only this
 * port. Today's adapter is in-band registration with the invite's token (in-band.ts: XEP-0401 preauth, then
 * XEP-0077, which the server checks against the invite: XEP-0445); a server without that gets another adapter.
 */
import type { RegistrationFailure } from "../errors.js";

/** Who makes the accounts (REGISTRATION, docs/servers.md): the server's own hook, or the bot through XEP-0133. */
export type RegistrationWay = "server" | "bot";

/** What registration emits (src/events.ts). */
export interface RegistrationEvents {
  /** How accounts are made, decided once, at the first login that could tell. */
  "registrar-chosen": { readonly way: RegistrationWay };
  /** A registration whose outcome the bot had not heard is settled: the account exists, or its use went back. */
  "use-settled": { readonly jid: string; readonly outcome: "stands" | "given-back" };
}

export interface RegistrationRequest {
  /** The invite's token, exactly as in its link. */
  readonly token: string;
  /** The local part to register (or whose password a reset link sets). */
  readonly username: string;
  /** Passed to the server and forgotten: never logged, stored or shown. */
  readonly password: string;
}

/** Why the server did not create the account (or set the password): codes of the error catalogue (src/errors.ts). */
export type { RegistrationFailure };

export type RegistrationResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: RegistrationFailure; readonly serverText?: string };

export interface Registrar {
  /** Registers `username` with the invite. */
  register(request: RegistrationRequest): Promise<RegistrationResult>;
  /** Sets a new password for `username` with a password reset link. */
  resetPassword(request: RegistrationRequest): Promise<RegistrationResult>;
}
