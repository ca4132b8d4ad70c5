/**
 * The catalogue's codes for why the server did not create the account (or set the password): what a Registrar
 * (src/registration/registrar.ts) answers, and the web shows next to the right field of the form.
 */
import { type ErrorEntry, errorEntry } from "./entry.js";

export const REGISTRATION_FAILURES = [
  /** The name belongs to someone else. */
  "username-taken",
  /** The server refused the name itself (characters, length). */
  "username-invalid",
  /** The server's password policy refused the password (its words as the reason). */
  "password-refused",
  /** The invite is unknown, expired, revoked, or used up in the meantime. */
  "invite-invalid",
  /** The invite is bound to another username (XEP-0445). */
  "wrong-username",
  /** The name is free, but held for another pending invite bound to it (src/invites/held-names.ts). */
  "username-held",
  /** The server (or our module) asks to slow down. */
  "throttled",
  /** The server, its invite store or the link to it is not working right now. */
  "unavailable",
] as const;

export type RegistrationFailure = (typeof REGISTRATION_FAILURES)[number];

/** The stanza columns are the conditions a server answers in-band registration with (src/registration/in-band-answers.ts). */
export const REGISTRATION_ERRORS: Readonly<Record<RegistrationFailure, ErrorEntry>> = {
  "username-taken": errorEntry(
    { stanza: "cancel conflict", status: 409, page: { form: "username", key: "error.username_taken" } },
    "This username is already taken",
    "Sorry, that username is already taken. Please choose another one.",
  ),
  "username-invalid": errorEntry(
    { stanza: "modify not-acceptable", status: 400, page: { form: "username", key: "error.username_invalid" } },
    "This username contains characters that are not allowed",
    "Sorry, that username contains characters that are not allowed.",
  ),
  "password-refused": errorEntry(
    {
      stanza: "modify not-acceptable",
      status: 400,
      page: { form: "password", key: "error.password_refused", keyWithReason: "error.password_policy" },
    },
    ({ reason }) => `The server did not accept this password${reason === undefined ? "" : `: ${reason}`}`,
    ({ reason }) => `Sorry, the server did not accept that password${reason === undefined ? "" : `: ${reason}`}.`,
  ),
  "invite-invalid": errorEntry(
    { stanza: "auth forbidden", status: 410, page: { form: "form", key: "error.invite_used" } },
    "The invite was used up, revoked or expired in the meantime",
    "Sorry, that invite was used up a moment ago. Ask for a new one.",
  ),
  "wrong-username": errorEntry(
    { stanza: "modify not-acceptable", status: 400, page: { form: "username", key: "error.wrong_username" } },
    ({ username }) => `This invite is for the username ${username ?? "it names"} only`,
    ({ username }) => `Sorry, that invite is for the username ${username ?? "it names"} only.`,
  ),
  "username-held": errorEntry(
    { stanza: "cancel conflict", status: 409, page: { form: "username", key: "error.username_held" } },
    "This username is held for another invite",
    "Sorry, that username is kept for someone who was invited by name. Please choose another one.",
  ),
  throttled: errorEntry(
    {
      stanza: "wait policy-violation",
      status: 429,
      page: { form: "form", key: "page.too_many.body", values: { minutes: "10" } },
    },
    "The server asks to slow down; try again in a few minutes",
    "Sorry, the server asks me to slow down. Please try again in a few minutes.",
  ),
  unavailable: errorEntry(
    { stanza: "wait internal-server-error", status: 503, page: { form: "form", key: "error.unavailable" } },
    "The server cannot create accounts right now",
    "Sorry, the server cannot create accounts right now. Please try again in a few minutes.",
  ),
};
