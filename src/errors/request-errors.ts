/**
 * The catalogue's codes for requests refused before any invite is looked at, or failing on our side: too many of
 * them, forged or stale forms, odd HTTP requests, and anything unexpected.
 */
import type { ErrorEntry } from "./entry.js";

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
  "too-many-requests": {
    stanza: { type: "wait", condition: "resource-constraint" },
    text: () => "Too many requests; please wait a few minutes, then try again",
    chat: () => "Sorry, that was too many requests. Please wait a few minutes, then try again.",
    http: { status: 429, page: { message: "too-many" } },
  },
  // A form posted from another site (docs/security.md): refused before anything is looked at.
  "cross-site-post": {
    stanza: { type: "auth", condition: "forbidden" },
    text: () => "The request did not come from the invite pages",
    chat: () => "Sorry, that request did not come from the invite pages, so nothing was done.",
    http: { status: 403, page: { message: "error" } },
  },
  "form-expired": {
    stanza: { type: "auth", condition: "forbidden" },
    text: () => "The form has expired; fill it in again",
    chat: () => "Sorry, that form has expired. Please fill it in again.",
    http: { status: 403, page: { form: "form", key: "error.form_expired" } },
  },
  // Mistakes in what a person entered: each field says its own (src/web/form-input.ts).
  "form-invalid": {
    stanza: { type: "modify", condition: "bad-request" },
    text: () => "Some of what was entered is not right; nothing was created",
    chat: () => "Sorry, some of what was entered is not right, so nothing was created.",
    http: { status: 400, page: { form: "each" } },
  },
  "page-not-found": {
    stanza: { type: "cancel", condition: "item-not-found" },
    text: () => "There is nothing at that address",
    chat: () => "Sorry, there is nothing at that address.",
    http: { status: 404, page: { message: "not-found" } },
  },
  "method-not-allowed": {
    stanza: { type: "cancel", condition: "not-allowed" },
    text: () => "That kind of request is not allowed here",
    chat: () => "Sorry, that kind of request is not allowed here.",
    http: { status: 405, page: { message: "error" } },
  },
  "headers-too-large": {
    stanza: { type: "modify", condition: "policy-violation" },
    text: () => "The request has too many header lines",
    chat: () => "Sorry, that request was too large.",
    http: { status: 431, page: { message: "error" } },
  },
  // Anything that is not a coded error: logged with its stack, answered with this.
  internal: {
    stanza: { type: "cancel", condition: "internal-server-error" },
    text: () => INTERNAL_TEXT,
    chat: () => `Sorry, ${INTERNAL_TEXT.charAt(0).toLowerCase()}${INTERNAL_TEXT.slice(1)}`,
    http: { status: 500, page: { message: "error" } },
  },
};
