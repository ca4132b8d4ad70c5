/**
 * The error catalogue (docs/architecture.md, "Where errors are translated"): every code an edge can answer with,
 * and for each one what every edge makes of it: an XMPP stanza error (RFC 6120 §8.3) and its text for ad-hoc, a
 * sentence for chat, an HTTP status and a page for the web. The domain throws InviteError with a code; a Registrar
 * answers a RegistrationFailure; the edges only translate. A unit test checks that every code has every mapping.
 */

import { API_ERRORS, type ApiErrorCode } from "./errors/api-errors.js";
import { CIRCLE_ERRORS, type CircleErrorCode } from "./errors/circle-errors.js";
import { DOMAIN_ERRORS, type InviteErrorCode as InviteOnlyErrorCode } from "./errors/domain-errors.js";
import type { ErrorEntry, ErrorParams } from "./errors/entry.js";
import { POLICY_ERRORS, type PolicyErrorCode } from "./errors/policy-errors.js";
import { REGISTRATION_ERRORS, REGISTRATION_FAILURES, type RegistrationFailure } from "./errors/registration-errors.js";
import { REQUEST_ERRORS, type RequestErrorCode } from "./errors/request-errors.js";

export type {
  ErrorEntry,
  ErrorMessageKind,
  ErrorPage,
  ErrorParams,
  FormField,
  StanzaErrorType,
} from "./errors/entry.js";
/** What the domain throws (InviteError): the invites' codes, the users' policy's and the circles'. */
export type InviteErrorCode = InviteOnlyErrorCode | PolicyErrorCode | CircleErrorCode;
export type { ApiErrorCode, RegistrationFailure, RequestErrorCode };
export { REGISTRATION_FAILURES };

export type ErrorCode = InviteErrorCode | RegistrationFailure | RequestErrorCode | ApiErrorCode;

export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, ErrorEntry>> = {
  ...DOMAIN_ERRORS,
  ...POLICY_ERRORS,
  ...CIRCLE_ERRORS,
  ...REGISTRATION_ERRORS,
  ...REQUEST_ERRORS,
  ...API_ERRORS,
};

export class InviteError extends Error {
  /** Details for the texts, besides the host. */
  readonly params: Omit<ErrorParams, "host">;

  constructor(
    readonly code: InviteErrorCode,
    options: { cause?: unknown; params?: Omit<ErrorParams, "host"> } = {},
  ) {
    super(code, { cause: options.cause });
    this.name = "InviteError";
    this.params = options.params ?? {};
  }
}

export function describeError(code: ErrorCode): ErrorEntry {
  return ERROR_CATALOGUE[code];
}
