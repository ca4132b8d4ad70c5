/**
 * The error catalogue (docs/architecture.md, "Where errors are translated"). The domain throws InviteError with a code;
 * the edges translate it: XMPP stanza errors (RFC 6120 §8.3) for ad-hoc, a
 * sentence for chat. A unit test checks that every code has every mapping.
 */

export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

export interface ErrorEntry {
  readonly stanza: { readonly type: StanzaErrorType; readonly condition: string };
  /** Text for the stanza error and the log. */
  readonly text: (params: ErrorParams) => string;
  /** What a person reads in chat. */
  readonly chat: (params: ErrorParams) => string;
}

export interface ErrorParams {
  readonly host: string;
  /** For quota-exceeded: when the next invite is possible, in words. */
  readonly retryAt?: string;
  /** For store-unavailable: what did not happen ("no invite was created"); the default says nothing changed. */
  readonly notDone?: string;
  /** For username-not-allowed: why, in words (src/invites/username.ts). */
  readonly reason?: string;
}

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
  | "revoke-all-admins-only"
  | "quota-exceeded"
  | "relations-admins-only"
  | "store-unavailable";

export const ERROR_CATALOGUE: Readonly<Record<InviteErrorCode, ErrorEntry>> = {
  "not-local-user": {
    stanza: { type: "auth", condition: "forbidden" },
    text: ({ host }) => `This command is only available to users of ${host}`,
    chat: ({ host }) => `Sorry, I can only create invites for users of ${host}.`,
  },
  "contact-invites-admins-only": {
    stanza: { type: "auth", condition: "forbidden" },
    text: ({ host }) => `Only administrators of ${host} may create contact invites`,
    chat: ({ host }) => `Sorry, on ${host} only administrators can create invites.`,
  },
  "account-invites-admins-only": {
    stanza: { type: "auth", condition: "forbidden" },
    text: () => "Only administrators may create account invites",
    chat: () => 'Sorry, only administrators can create account invites. Say "invite" for a contact invite.',
  },
  "roster-subscription-needs-local-account": {
    stanza: { type: "modify", condition: "not-acceptable" },
    text: ({ host }) => `Only an account on ${host} can be added to the new user's contacts`,
    chat: ({ host }) => `Sorry, I can only add the new user to the contacts of an account on ${host}.`,
  },
  "password-reset-admins-only": {
    stanza: { type: "auth", condition: "forbidden" },
    text: () => "Only administrators may create password reset links",
    chat: () => "Sorry, only administrators can create password reset links.",
  },
  "password-reset-bad-jid": {
    stanza: { type: "modify", condition: "jid-malformed" },
    text: () => "Give the account as user@domain",
    chat: () => 'Sorry, that is not an account address. Say "reset user@domain".',
  },
  "password-reset-not-local": {
    stanza: { type: "modify", condition: "not-acceptable" },
    text: ({ host }) => `Only passwords of accounts on ${host} can be reset`,
    chat: ({ host }) => `Sorry, I can only reset passwords of accounts on ${host}.`,
  },
  "password-reset-admin-account": {
    stanza: { type: "auth", condition: "forbidden" },
    text: () => "The password of another administrator cannot be reset with a link; they can change it themselves",
    chat: () =>
      "Sorry, I do not make reset links for another administrator's account; they can change their password themselves.",
  },
  "password-reset-bot-account": {
    stanza: { type: "auth", condition: "forbidden" },
    text: () => "The password of the invite bot's own account cannot be reset with a link",
    chat: () => "Sorry, I do not make reset links for my own account: whoever used it would control me.",
  },
  "username-not-allowed": {
    stanza: { type: "modify", condition: "not-acceptable" },
    text: ({ reason }) => reason ?? "This username is not allowed",
    chat: ({ reason }) => `Sorry, nothing was created. ${reason ?? "This username is not allowed"}.`,
  },
  "invite-not-found": {
    stanza: { type: "cancel", condition: "item-not-found" },
    text: () => "No pending invite of yours has that id",
    chat: () => 'Sorry, none of your pending invites has that id. Send "invites" to see them.',
  },
  "revoke-all-admins-only": {
    stanza: { type: "auth", condition: "forbidden" },
    text: () => "Only administrators may revoke another user's invites",
    chat: () => "Sorry, only administrators can revoke another user's invites.",
  },
  "quota-exceeded": {
    stanza: { type: "wait", condition: "resource-constraint" },
    text: ({ retryAt }) =>
      `You have created as many invites as allowed in 24 hours; the next one is possible ${retryAt ?? "later"}`,
    chat: ({ retryAt }) =>
      `Sorry, you have created as many invites as allowed in 24 hours. You can create the next one ${retryAt ?? "later"}.`,
  },
  "relations-admins-only": {
    stanza: { type: "auth", condition: "forbidden" },
    text: () => "Only administrators may look up who invited whom",
    chat: () => "Sorry, only administrators can look up who invited whom.",
  },
  "store-unavailable": {
    stanza: { type: "wait", condition: "internal-server-error" },
    text: ({ notDone }) =>
      `The invite store is not reachable right now, so ${notDone ?? "nothing was changed"}. Please try again in a minute; if it keeps failing, tell the server administrator.`,
    chat: ({ notDone }) =>
      `Sorry, I cannot reach my invite store right now, so ${notDone ?? "nothing was changed"}. Please try again in a minute; if it keeps failing, tell the server administrator.`,
  },
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

export function describeError(code: InviteErrorCode): ErrorEntry {
  return ERROR_CATALOGUE[code];
}
