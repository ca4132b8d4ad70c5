/** The catalogue's codes the domain throws (InviteError, src/errors.ts): refusals of a request, and the store away. */
import type { ErrorEntry } from "./entry.js";

export type InviteErrorCode =
  | "not-local-user"
  | "contact-invites-admins-only"
  | "account-invites-admins-only"
  | "roster-subscription-needs-local-account"
  | "password-reset-admins-only"
  | "password-reset-bad-jid"
  | "password-reset-not-local"
  | "password-reset-admin-account"
  | "password-reset-bot-account"
  | "username-not-allowed"
  | "invite-not-found"
  | "invite-not-usable"
  | "revoke-all-admins-only"
  | "quota-exceeded"
  | "relations-admins-only"
  | "store-unavailable";

const FORBIDDEN = { type: "auth", condition: "forbidden" } as const;
const NOT_ACCEPTABLE = { type: "modify", condition: "not-acceptable" } as const;
const FORBIDDEN_PAGE = { status: 403, page: { message: "error" } } as const;
const BAD_REQUEST_PAGE = { status: 400, page: { message: "error" } } as const;

export const DOMAIN_ERRORS: Readonly<Record<InviteErrorCode, ErrorEntry>> = {
  "not-local-user": {
    stanza: FORBIDDEN,
    text: ({ host }) => `This command is only available to users of ${host}`,
    chat: ({ host }) => `Sorry, I can only create invites for users of ${host}.`,
    http: FORBIDDEN_PAGE,
  },
  "contact-invites-admins-only": {
    stanza: FORBIDDEN,
    text: ({ host }) => `Only administrators of ${host} may create contact invites`,
    chat: ({ host }) => `Sorry, on ${host} only administrators can create invites.`,
    http: FORBIDDEN_PAGE,
  },
  "account-invites-admins-only": {
    stanza: FORBIDDEN,
    text: () => "Only administrators may create account invites",
    chat: () => 'Sorry, only administrators can create account invites. Say "invite" for a contact invite.',
    http: FORBIDDEN_PAGE,
  },
  "roster-subscription-needs-local-account": {
    stanza: NOT_ACCEPTABLE,
    text: ({ host }) => `Only an account on ${host} can be added to the new user's contacts`,
    chat: ({ host }) => `Sorry, I can only add the new user to the contacts of an account on ${host}.`,
    http: BAD_REQUEST_PAGE,
  },
  "password-reset-admins-only": {
    stanza: FORBIDDEN,
    text: () => "Only administrators may create password reset links",
    chat: () => "Sorry, only administrators can create password reset links.",
    http: FORBIDDEN_PAGE,
  },
  "password-reset-bad-jid": {
    stanza: { type: "modify", condition: "jid-malformed" },
    text: () => "Give the account as user@domain",
    chat: () => 'Sorry, that is not an account address. Say "reset user@domain".',
    http: BAD_REQUEST_PAGE,
  },
  "password-reset-not-local": {
    stanza: NOT_ACCEPTABLE,
    text: ({ host }) => `Only passwords of accounts on ${host} can be reset`,
    chat: ({ host }) => `Sorry, I can only reset passwords of accounts on ${host}.`,
    http: BAD_REQUEST_PAGE,
  },
  "password-reset-admin-account": {
    stanza: FORBIDDEN,
    text: () => "The password of another administrator cannot be reset with a link; they can change it themselves",
    chat: () =>
      "Sorry, I do not make reset links for another administrator's account; they can change their password themselves.",
    http: FORBIDDEN_PAGE,
  },
  "password-reset-bot-account": {
    stanza: FORBIDDEN,
    text: () => "The password of the invite bot's own account cannot be reset with a link",
    chat: () => "Sorry, I do not make reset links for my own account: whoever used it would control me.",
    http: FORBIDDEN_PAGE,
  },
  "username-not-allowed": {
    stanza: NOT_ACCEPTABLE,
    text: ({ reason }) => reason ?? "This username is not allowed",
    chat: ({ reason }) => `Sorry, nothing was created. ${reason ?? "This username is not allowed"}.`,
    http: BAD_REQUEST_PAGE,
  },
  "invite-not-found": {
    stanza: { type: "cancel", condition: "item-not-found" },
    text: () => "No pending invite of yours has that id",
    chat: () => 'Sorry, none of your pending invites has that id. Send "invites" to see them.',
    http: { status: 404, page: { message: "invalid" } },
  },
  // Unknown, expired, revoked, used up, or not a token at all: nothing tells them apart (docs/web.md).
  "invite-not-usable": {
    stanza: { type: "cancel", condition: "item-not-found" },
    text: () => "This invite is not valid any more: it was used, revoked, or it has expired",
    chat: () => "Sorry, that invite is not valid any more: it was used, revoked, or it has expired.",
    http: { status: 404, page: { message: "invalid" } },
  },
  "revoke-all-admins-only": {
    stanza: FORBIDDEN,
    text: () => "Only administrators may revoke another user's invites",
    chat: () => "Sorry, only administrators can revoke another user's invites.",
    http: FORBIDDEN_PAGE,
  },
  "quota-exceeded": {
    stanza: { type: "wait", condition: "resource-constraint" },
    text: ({ retryAt }) =>
      `You have created as many invites as allowed in 24 hours; the next one is possible ${retryAt ?? "later"}`,
    chat: ({ retryAt }) =>
      `Sorry, you have created as many invites as allowed in 24 hours. You can create the next one ${retryAt ?? "later"}.`,
    http: { status: 429, page: { message: "error" } },
  },
  "relations-admins-only": {
    stanza: FORBIDDEN,
    text: () => "Only administrators may look up who invited whom",
    chat: () => "Sorry, only administrators can look up who invited whom.",
    http: FORBIDDEN_PAGE,
  },
  "store-unavailable": {
    stanza: { type: "wait", condition: "internal-server-error" },
    text: ({ notDone }) =>
      `The invite store is not reachable right now, so ${notDone ?? "nothing was changed"}. Please try again in a minute; if it keeps failing, tell the server administrator.`,
    chat: ({ notDone }) =>
      `Sorry, I cannot reach my invite store right now, so ${notDone ?? "nothing was changed"}. Please try again in a minute; if it keeps failing, tell the server administrator.`,
    http: { status: 503, page: { message: "unavailable" } },
  },
};
