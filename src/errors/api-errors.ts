/**
 * The catalogue's codes for HTTP API requests refused before any invite is looked at (docs/api.md, "Errors"): no
 * usable API key (RFC 6750 §3.1 invalid_token), or a key whose scope does not cover the request
 * (insufficient_scope). Only the API answers them; the other columns are filled like every code's.
 */
import { type ErrorEntry, errorEntry } from "./entry.js";

export type ApiErrorCode =
  | "api-key-missing"
  | "api-key-scope"
  | "api-keys-admins-only"
  | "api-key-name-invalid"
  | "api-key-name-taken"
  | "api-key-not-found";

export const API_ERRORS: Readonly<Record<ApiErrorCode, ErrorEntry>> = {
  "api-key-missing": errorEntry(
    { stanza: "auth not-authorized", status: 401, page: "error" },
    "No valid API key was given: send Authorization: Bearer KEY with a key an admin made (apikey create)",
    "Sorry, that request had no valid API key.",
  ),
  "api-key-scope": errorEntry(
    { stanza: "auth forbidden", status: 403, page: "error" },
    "This API key may only create invites; a key with the manage scope may also list, read, edit and revoke them, and read and revoke invite trees",
    "Sorry, that API key may only create invites.",
  ),
  "api-keys-admins-only": errorEntry(
    { stanza: "auth forbidden", status: 403, page: "error" },
    "Only admins make, list and revoke API keys",
    "Sorry, only admins make, list and revoke API keys.",
  ),
  "api-key-name-invalid": errorEntry(
    { stanza: "modify bad-request", status: 400, page: "error" },
    "An API key's name is 1 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
    "Sorry, an API key's name is 1 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.",
  ),
  "api-key-name-taken": errorEntry(
    { stanza: "cancel conflict", status: 409, page: "error" },
    "There is an API key of that name already: revoke it first, or choose another name",
    "Sorry, there is an API key of that name already: revoke it first, or choose another name.",
  ),
  "api-key-not-found": errorEntry(
    { stanza: "cancel item-not-found", status: 404, page: "error" },
    "There is no API key of that name",
    "Sorry, there is no API key of that name.",
  ),
};
