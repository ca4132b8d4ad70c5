/**
 * The policy for users' invites per role (README, "Users' invites", INVITE_ROLE_POLICY): Prosody 13 gives each
 * account a primary role (prosody:guest, prosody:registered, prosody:member, …); a role may be refused invites
 * outright (guests, by default) or held to limits of its own in place of the default ones. Where the server tells
 * no roles (Prosody 0.12, ejabberd, or invites_bot_jid unset in Prosody), everyone has the default policy.
 */
import { InviteError } from "../errors.js";
import type { Actor } from "./permissions.js";
import type { QuotaDeps } from "./quota.js";
import { isJoinRole, ROLE_LABELS } from "./roles.js";

/** The limits a role may set in place of the default ones, named as QuotaDeps names them. */
export type RoleLimits = Partial<
  Pick<
    QuotaDeps,
    | "quota"
    | "quotaPeriodSeconds"
    | "maxPending"
    | "userMaxTtlSeconds"
    | "userMaxUses"
    | "minAccountAgeSeconds"
    | "treeMax"
    | "chainPaceSeconds"
  >
>;

/** A role's policy: no invites at all, or the default limits with these in their place. */
export type RolePolicy = { readonly invites: false } | { readonly invites: true; readonly limits: RoleLimits };

/** What the server says of a user's role. */
export interface UserRoles {
  /**
   * The account's primary role; undefined when the server tells no roles (then the default policy holds). Rejects
   * when the server tells roles but did not answer: nothing is made then, rather than a guest's invite.
   */
  roleOf(jid: string): Promise<string | undefined>;
}

export interface RolePolicyDeps {
  readonly rolePolicies?: ReadonlyMap<string, RolePolicy> | undefined;
  readonly userRoles?: UserRoles | undefined;
}

/** The limits that hold for `actor`: the default ones, or its role's; refused if its role may not invite. */
export async function limitsFor<D extends QuotaDeps & RolePolicyDeps>(deps: D, actor: Actor): Promise<D> {
  const { rolePolicies, userRoles } = deps;
  if (actor.isAdmin || rolePolicies === undefined || rolePolicies.size === 0 || userRoles === undefined) return deps;
  let role: string | undefined;
  try {
    role = await userRoles.roleOf(actor.jid);
  } catch {
    throw new InviteError("role-unavailable");
  }
  const policy = role === undefined ? undefined : rolePolicies.get(role);
  if (policy === undefined) return deps;
  if (!policy.invites) {
    throw new InviteError("role-may-not-invite", { params: { name: roleLabel(role as string) } });
  }
  return { ...deps, ...policy.limits };
}

/** "Limited (prosody:guest)" for Prosody's built-in roles, as the invite forms call them; other roles as named. */
function roleLabel(role: string): string {
  return isJoinRole(role) ? `${ROLE_LABELS[role]} (${role})` : role;
}
