/**
 * The catalogue's codes for HTTP API requests refused before any invite is looked at (docs/api.md, "Errors"): no
 * usable API key (RFC 6750 §3.1 invalid_token), or a key whose scope does not cover the request
 * (insufficient_scope). Only the API answers them; the other columns are filled like every code's.
 */
import { type ErrorEntry, errorEntry } from "./entry.js";

export type ApiErrorCode = "api-key-missing" | "api-key-scope";

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
};
