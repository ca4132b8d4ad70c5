/**
 * The refusals of the policy for users' invites (src/invites/quota.ts, role-policy.ts; README, "Users' invites"):
 * each says which rule it met and, where waiting helps, when the next invite is possible.
 */
import { type ErrorAnswer, type ErrorEntry, errorEntry } from "./entry.js";

export type PolicyErrorCode =
  | "invite-uses-too-many"
  | "quota-exceeded"
  | "account-too-new"
  | "invite-tree-full"
  | "invite-chain-too-fast"
  | "role-may-not-invite"
  | "role-unavailable"
  | "pending-invites-exceeded";

/** Past a limit: try again later (XMPP `wait`, HTTP 429). */
const WAIT: ErrorAnswer = { stanza: "wait resource-constraint", status: 429, page: "error" };
const FORBIDDEN: ErrorAnswer = { stanza: "auth forbidden", status: 403, page: "error" };
const NOT_ACCEPTABLE: ErrorAnswer = { stanza: "modify not-acceptable", status: 400, page: "error" };

export const POLICY_ERRORS: Readonly<Record<PolicyErrorCode, ErrorEntry>> = {
  "invite-uses-too-many": errorEntry(
    NOT_ACCEPTABLE,
    ({ limit }) => `An invite of yours may have from 1 to ${limit ?? "1"} uses`,
    ({ limit }) =>
      `Sorry, an invite of yours may have from 1 to ${limit ?? "1"} use${limit === "1" ? "" : "s"}. Nothing was created.`,
  ),
  "quota-exceeded": errorEntry(
    WAIT,
    ({ retryAt, period }) =>
      `You have created as many invites as allowed in ${period ?? "24 hours"}; the next one is possible ${retryAt ?? "later"}`,
    ({ retryAt, period }) =>
      `Sorry, you have created as many invites as allowed in ${period ?? "24 hours"}. You can create the next one ${retryAt ?? "later"}.`,
  ),
  "account-too-new": errorEntry(
    WAIT,
    ({ retryAt, period }) =>
      `Your account is too new to invite new people: it must be ${period ?? "older"} old first; the next invite is possible ${retryAt ?? "later"}`,
    ({ retryAt, period }) =>
      `Sorry, your account is too new to invite new people: an account must be ${period ?? "older"} old first. You can invite ${retryAt ?? "later"}.`,
  ),
  "invite-tree-full": errorEntry(
    WAIT,
    ({ retryAt, limit }) =>
      `Your invite tree is full: at most ${limit ?? "so many"} accounts may come from it, counting the invites waiting to be used; ${retryAt === undefined ? "an administrator can invite further" : `the next invite is possible when one of them is used up or revoked, or ${retryAt} at the latest`}`,
    ({ retryAt, limit }) =>
      `Sorry, your invite tree is full: at most ${limit ?? "so many"} accounts may come from the invites of you, whoever invited you, and everyone they brought in, counting the invites still waiting to be used. ${retryAt === undefined ? "Ask an administrator to invite further." : `You can invite again when one of those invites is revoked, or ${retryAt} at the latest, when one expires.`}`,
  ),
  "invite-chain-too-fast": errorEntry(
    WAIT,
    ({ retryAt, period }) =>
      `Whoever invited you registered less than ${period ?? "a while"} ago, and invites may not chain faster than that; the next invite is possible ${retryAt ?? "later"}`,
    ({ retryAt, period }) =>
      `Sorry, whoever invited you joined less than ${period ?? "a while"} ago, and invites may not chain faster than that. You can invite ${retryAt ?? "later"}.`,
  ),
  "role-may-not-invite": errorEntry(
    FORBIDDEN,
    ({ name }) => `Accounts with the role ${name ?? "you have"} may not create invites on this server`,
    ({ name }) =>
      `Sorry, accounts with the role ${name ?? "you have"} may not create invites here. An administrator can invite the people you want to bring in.`,
  ),
  "role-unavailable": errorEntry(
    { stanza: "wait internal-server-error", status: 503, page: "unavailable" },
    () =>
      "The server did not tell me your role, which decides which invites you may create, so no invite was created. Please try again in a minute",
    () =>
      "Sorry, the server did not tell me your role, which decides which invites you may create, so no invite was created. Please try again in a minute; if it keeps failing, tell the server administrator.",
  ),
  "pending-invites-exceeded": errorEntry(
    WAIT,
    ({ retryAt, limit }) =>
      `You have ${limit ?? "as many"} invites waiting to be used, the most allowed at once; the next one is possible when one is used or revoked, or ${retryAt ?? "later"} at the latest`,
    ({ retryAt, limit }) =>
      `Sorry, you have ${limit ?? "as many"} invites waiting to be used, the most allowed at once. You can create the next one when one of them is used or revoked (say "revoke ID"), or ${retryAt ?? "later"} at the latest, when one expires.`,
  ),
};
