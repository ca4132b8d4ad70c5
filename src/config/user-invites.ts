/**
 * The policy for users' invites (README, "Users' invites"): INVITE_QUOTA per INVITE_QUOTA_PERIOD,
 * INVITE_MAX_PENDING, INVITE_USER_MAX_TTL, INVITE_USER_MAX_USES, INVITE_MIN_ACCOUNT_AGE, INVITE_TREE_MAX and
 * INVITE_CHAIN_PACE, each with a safe default (types.ts, DEFAULTS), and the same per Prosody 13 role
 * (INVITE_ROLE_POLICY, role-policy.ts); APPROVE_USER_INVITED, whether the accounts they bring in wait for an admin.
 */
import { MAX_USES } from "../invites/options.js";
import type { Reader } from "./reader.js";
import { readRolePolicies } from "./role-policy.js";
import { type Config, DEFAULTS } from "./types.js";

/** The longest lifetime or period a setting takes: a year and a day. */
export const MAX_TTL_SECONDS = 366 * 86_400;

export type UserInvitePolicy = Pick<
  Config,
  | "inviteQuota"
  | "inviteQuotaPeriodSeconds"
  | "maxPendingInvites"
  | "userInviteMaxTtlSeconds"
  | "userInviteMaxUses"
  | "minAccountAgeSeconds"
  | "inviteTreeMax"
  | "chainPaceSeconds"
  | "rolePolicies"
  | "approveUserInvited"
>;

export function readUserInvitePolicy(reader: Reader): UserInvitePolicy {
  const seconds = (name: string, fallback: number, min: number) =>
    reader.integer(name, fallback, min, MAX_TTL_SECONDS, "seconds");
  return {
    inviteQuota: reader.integer("INVITE_QUOTA", DEFAULTS.inviteQuota, 1, 100_000, "invites"),
    inviteQuotaPeriodSeconds: seconds("INVITE_QUOTA_PERIOD", DEFAULTS.inviteQuotaPeriodSeconds, 60),
    maxPendingInvites: reader.integer("INVITE_MAX_PENDING", DEFAULTS.maxPendingInvites, 1, 100_000, "invites"),
    userInviteMaxTtlSeconds: seconds("INVITE_USER_MAX_TTL", DEFAULTS.userInviteMaxTtlSeconds, 60),
    userInviteMaxUses: reader.integer("INVITE_USER_MAX_USES", DEFAULTS.userInviteMaxUses, 1, MAX_USES, "uses"),
    minAccountAgeSeconds: seconds("INVITE_MIN_ACCOUNT_AGE", DEFAULTS.minAccountAgeSeconds, 0),
    inviteTreeMax: reader.integer("INVITE_TREE_MAX", DEFAULTS.inviteTreeMax, 0, 1_000_000, "accounts"),
    chainPaceSeconds: seconds("INVITE_CHAIN_PACE", DEFAULTS.chainPaceSeconds, 0),
    rolePolicies: readRolePolicies(reader),
    approveUserInvited: reader.boolean("APPROVE_USER_INVITED", DEFAULTS.approveUserInvited),
  };
}
