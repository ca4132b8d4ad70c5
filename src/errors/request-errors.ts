/**
 * The catalogue's codes for requests refused before any invite is looked at, or failing on our side: too many of
 * them, forged or stale forms, odd HTTP requests, and anything unexpected.
 */
import { type ErrorEntry, errorEntry } from "./entry.js";

export type RequestErrorCode =
  | "too-many-requests"
  | "cross-site-post"
  | "form-expired"
  | "form-invalid"
  | "page-not-found"
  | "method-not-allowed"
  | "headers-too-large"
  | "internal";

const INTERNAL_TEXT = "Something went wrong on our side; nothing was created. Please try again later.";

export const REQUEST_ERRORS: Readonly<Record<RequestErrorCode, ErrorEntry>> = {
  "too-many-requests": errorEntry(
    { stanza: "wait resource-constraint", status: 429, page: "too-many" },
    "Too many requests; please wait a few minutes, then try again",
    "Sorry, that was too many requests. Please wait a few minutes, then try again.",
  ),
  // A form posted from another site (docs/security.md): refused before anything is looked at.
  "cross-site-post": errorEntry(
    { stanza: "auth forbidden", status: 403, page: "error" },
    "The request did not come from the invite pages",
    "Sorry, that request did not come from the invite pages, so nothing was done.",
  ),
  "form-expired": errorEntry(
    { stanza: "auth forbidden", status: 403, page: { form: "form", key: "error.form_expired" } },
    "The form has expired; fill it in again",
    "Sorry, that form has expired. Please fill it in again.",
  ),
  // Mistakes in what a person entered: each field says its own (src/web/form-input.ts).
  "form-invalid": errorEntry(
    { stanza: "modify bad-request", status: 400, page: { form: "each" } },
    "Some of what was entered is not right; nothing was created",
    "Sorry, some of what was entered is not right, so nothing was created.",
  ),
  "page-not-found": errorEntry(
    { stanza: "cancel item-not-found", status: 404, page: "not-found" },
    "There is nothing at that address",
    "Sorry, there is nothing at that address.",
  ),
  "method-not-allowed": errorEntry(
    { stanza: "cancel not-allowed", status: 405, page: "error" },
    "That kind of request is not allowed here",
    "Sorry, that kind of request is not allowed here.",
  ),
  "headers-too-large": errorEntry(
    { stanza: "modify policy-violation", status: 431, page: "error" },
    "The request has too many header lines",
    "Sorry, that request was too large.",
  ),
  // Anything that is not a coded error: logged with its stack, answered with this.
  internal: errorEntry(
    { stanza: "cancel internal-server-error", status: 500, page: "error" },
    INTERNAL_TEXT,
    `Sorry, ${INTERNAL_TEXT.charAt(0).toLowerCase()}${INTERNAL_TEXT.slice(1)}`,
  ),
};
