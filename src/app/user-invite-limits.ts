/** The policy for users' invites as the configuration states it (src/config/user-invites.ts), for InviteService. */
import type { Config } from "../config.js";
import type { InviteServiceOptions } from "../invites/service.js";

export function userInviteLimits(
  config: Config,
): Pick<
  InviteServiceOptions,
  | "quota"
  | "quotaPeriodSeconds"
  | "maxPending"
  | "userMaxTtlSeconds"
  | "minAccountAgeSeconds"
  | "userMaxUses"
  | "treeMax"
  | "chainPaceSeconds"
  | "rolePolicies"
  | "approveUserInvited"
> {
  return {
    quota: config.inviteQuota,
    quotaPeriodSeconds: config.inviteQuotaPeriodSeconds,
    maxPending: config.maxPendingInvites,
    userMaxTtlSeconds: config.userInviteMaxTtlSeconds,
    minAccountAgeSeconds: config.minAccountAgeSeconds,
    userMaxUses: config.userInviteMaxUses,
    // 0: no tree budget (the walk reads every pending invite of a tree: off where users make thousands).
    ...(config.inviteTreeMax === 0 ? {} : { treeMax: config.inviteTreeMax }),
    chainPaceSeconds: config.chainPaceSeconds,
    rolePolicies: config.rolePolicies,
    approveUserInvited: config.approveUserInvited,
  };
}
