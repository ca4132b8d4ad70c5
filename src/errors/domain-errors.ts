/** The catalogue's codes the domain throws (InviteError, src/errors.ts): refusals of a request, and the store away. */
import { type ErrorAnswer, type ErrorEntry, errorEntry } from "./entry.js";

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
  | "username-held-by-invite"
  | "invite-not-found"
  | "invite-not-usable"
  | "revoke-all-admins-only"
  | "invite-edit-empty"
  | "invite-expiry-not-allowed"
  | "invite-uses-not-counted"
  | "invite-uses-not-allowed"
  | "invite-tree-admins-only"
  | "relations-admins-only"
  | "accounts-admins-only"
  | "accounts-unsupported"
  | "summary-admins-only"
  | "roles-unsupported"
  | "store-unavailable";

const FORBIDDEN: ErrorAnswer = { stanza: "auth forbidden", status: 403, page: "error" };
const NOT_ACCEPTABLE: ErrorAnswer = { stanza: "modify not-acceptable", status: 400, page: "error" };
const NOT_FOUND: ErrorAnswer = { stanza: "cancel item-not-found", status: 404, page: "invalid" };

export const DOMAIN_ERRORS: Readonly<Record<InviteErrorCode, ErrorEntry>> = {
  "not-local-user": errorEntry(
    FORBIDDEN,
    ({ host }) => `This command is only available to users of ${host}`,
    ({ host }) => `Sorry, I can only create invites for users of ${host}.`,
  ),
  "contact-invites-admins-only": errorEntry(
    FORBIDDEN,
    ({ host }) => `Only administrators of ${host} may create contact invites`,
    ({ host }) => `Sorry, on ${host} only administrators can create invites.`,
  ),
  "account-invites-admins-only": errorEntry(
    FORBIDDEN,
    "Only administrators may create account invites",
    'Sorry, only administrators can create account invites. Say "invite" for a contact invite.',
  ),
  "roster-subscription-needs-local-account": errorEntry(
    NOT_ACCEPTABLE,
    ({ host }) => `Only an account on ${host} can be added to the new user's contacts`,
    ({ host }) => `Sorry, I can only add the new user to the contacts of an account on ${host}.`,
  ),
  "password-reset-admins-only": errorEntry(
    FORBIDDEN,
    "Only administrators may create password reset links",
    "Sorry, only administrators can create password reset links.",
  ),
  "password-reset-bad-jid": errorEntry(
    { stanza: "modify jid-malformed", status: 400, page: "error" },
    "Give the account as user@domain",
    'Sorry, that is not an account address. Say "reset user@domain".',
  ),
  "password-reset-not-local": errorEntry(
    NOT_ACCEPTABLE,
    ({ host }) => `Only passwords of accounts on ${host} can be reset`,
    ({ host }) => `Sorry, I can only reset passwords of accounts on ${host}.`,
  ),
  "password-reset-admin-account": errorEntry(
    FORBIDDEN,
    "The password of another administrator cannot be reset with a link; they can change it themselves",
    "Sorry, I do not make reset links for another administrator's account; they can change their password themselves.",
  ),
  "password-reset-bot-account": errorEntry(
    FORBIDDEN,
    "The password of the invite bot's own account cannot be reset with a link",
    "Sorry, I do not make reset links for my own account: whoever used it would control me.",
  ),
  "username-not-allowed": errorEntry(
    NOT_ACCEPTABLE,
    ({ reason }) => reason ?? "This username is not allowed",
    ({ reason }) => `Sorry, nothing was created. ${reason ?? "This username is not allowed"}.`,
  ),
  // A second invite bound to a name another pending invite holds (src/invites/held-names.ts).
  "username-held-by-invite": errorEntry(
    { stanza: "cancel conflict", status: 409, page: "error" },
    ({ username }) => `A pending invite is already bound to the username ${username ?? "asked for"}`,
    ({ username }) =>
      `Sorry, nothing was created: a pending invite is already bound to ${username ?? "that username"}. Revoke it first, or wait until it is used or expires.`,
  ),
  "invite-not-found": errorEntry(
    NOT_FOUND,
    "No pending invite of yours has that id",
    'Sorry, none of your pending invites has that id. Send "invites" to see them.',
  ),
  // Unknown, expired, revoked, used up, or not a token at all: nothing tells them apart (docs/web.md).
  "invite-not-usable": errorEntry(
    NOT_FOUND,
    "This invite is not valid any more: it was used, revoked, or it has expired",
    "Sorry, that invite is not valid any more: it was used, revoked, or it has expired.",
  ),
  "revoke-all-admins-only": errorEntry(
    FORBIDDEN,
    "Only administrators may revoke another user's invites",
    "Sorry, only administrators can revoke another user's invites.",
  ),
  "invite-edit-empty": errorEntry(
    NOT_ACCEPTABLE,
    "Say what to change: the expiry, the number of uses, or both",
    'Sorry, nothing was changed. Say "invite edit ID expires 1w" or "invite edit ID uses 5".',
  ),
  // The reason is the allowed range in words (src/invites/editing.ts): "in the future, at most 1 week from now".
  "invite-expiry-not-allowed": errorEntry(
    NOT_ACCEPTABLE,
    ({ reason }) => `The new expiry must be ${reason ?? "in the future"}`,
    ({ reason }) => `Sorry, nothing was changed. The new expiry must be ${reason ?? "in the future"}.`,
  ),
  "invite-uses-not-counted": errorEntry(
    NOT_ACCEPTABLE,
    "Only the uses of an invite made for several uses can be changed",
    "Sorry, nothing was changed. Only an invite made for several uses can have its uses changed; create a new invite instead.",
  ),
  // The reason is the allowed range, and the uses taken when they are what limits it.
  "invite-uses-not-allowed": errorEntry(
    NOT_ACCEPTABLE,
    ({ reason }) => `The number of uses must be ${reason ?? "within the allowed range"}`,
    ({ reason }) => `Sorry, nothing was changed. The number of uses must be ${reason ?? "within the allowed range"}.`,
  ),
  "invite-tree-admins-only": errorEntry(
    FORBIDDEN,
    "Only administrators may see the invite tree of another account",
    'Sorry, only administrators can see the invite tree of another account. Say "tree" to see yours.',
  ),
  "summary-admins-only": errorEntry(
    FORBIDDEN,
    "Only administrators may see the summary of invites",
    "Sorry, only administrators can see the summary of invites.",
  ),
  "relations-admins-only": errorEntry(
    FORBIDDEN,
    "Only administrators may look up who invited whom",
    "Sorry, only administrators can look up who invited whom.",
  ),
  "accounts-admins-only": errorEntry(
    FORBIDDEN,
    "Only administrators may disable or enable accounts",
    "Sorry, only administrators can disable or enable accounts.",
  ),
  "accounts-unsupported": errorEntry(
    { stanza: "cancel feature-not-implemented", status: 501, page: "error" },
    ({ host, reason }) => `${host} does not let the bot ${reason ?? "disable accounts"}; nothing was changed`,
    ({ host, reason }) => `Sorry, ${host} does not let me ${reason ?? "disable accounts"}. Nothing was changed.`,
  ),
  "roles-unsupported": errorEntry(
    NOT_ACCEPTABLE,
    ({ host }) =>
      `${host} cannot give a new account a role: that takes Prosody 13 with our module (Prosody 0.12 has no roles)`,
    ({ host }) =>
      `Sorry, ${host} cannot give a new account a role: that takes Prosody 13 with the bot's module (Prosody 0.12 has no roles). Nothing was created.`,
  ),
  "store-unavailable": errorEntry(
    { stanza: "wait internal-server-error", status: 503, page: "unavailable" },
    ({ notDone }) =>
      `The invite store is not reachable right now, so ${notDone ?? "nothing was changed"}. Please try again in a minute; if it keeps failing, tell the server administrator.`,
    ({ notDone }) =>
      `Sorry, I cannot reach my invite store right now, so ${notDone ?? "nothing was changed"}. Please try again in a minute; if it keeps failing, tell the server administrator.`,
  ),
};
