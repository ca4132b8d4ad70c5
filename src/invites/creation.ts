/**
 * Creating invites: Prosody's `create_account` / `create_contact` (mod_invites.lua; `create_account_reset` in
 * password-reset.ts) with the bot's permission rules in front, non-admins within the quota (quota.ts), their
 * invites that register marked for an admin's approval with APPROVE_USER_INVITED (approvals.ts). Knows nothing of
 * XMPP or Redis.
 */
import { InviteError } from "../errors.js";
import { type CircleChoice, joinsFor } from "./circle-choice.js";
import { nowSeconds } from "./expiry.js";
import { guarded } from "./guarded.js";
import { refuseHeldName } from "./held-names.js";
import type { CreatedInvite, Invite, InviteData } from "./invite.js";
import type { AccountInviteOptions } from "./options.js";
import {
  type Actor,
  mayCreateAccountInvite,
  mayCreateContactInvite,
  mayInviteNewUsers,
  type Policy,
} from "./permissions.js";
import { lifetimeFor, NO_INVITE_CREATED, type QuotaDeps, usesFor, withinQuota } from "./quota.js";
import { limitsFor, type RolePolicyDeps } from "./role-policy.js";
import type { RoleSupport } from "./roles.js";
import type { InviteStore, QuotaClaim, QuotaStore } from "./store.js";
import { generateToken, type RandomSource } from "./token.js";
import { accountInviteUri, contactInviteUri, landingPage } from "./uri.js";
import { allowedUsername, type UsernameRule } from "./username.js";

/** What creating needs: the service's options with their defaults filled in. */
export interface CreationDeps extends QuotaDeps, RolePolicyDeps {
  readonly store: InviteStore & QuotaStore;
  readonly policy: Policy;
  readonly ttlSeconds: number;
  readonly invitePage: string | undefined;
  readonly random: RandomSource | undefined;
  readonly usernameRule: UsernameRule;
  /** Which circles an invite may name; without it, an invite to a circle is refused (circle-not-found). */
  readonly circles: CircleChoice | undefined;
  /** Whether the server gives new accounts the invite's role; without it, a role is refused. */
  readonly roles: RoleSupport | undefined;
  /** APPROVE_USER_INVITED: a non-admin's invite that registers carries the signed mark `approval` (approvals.ts). */
  readonly approveUserInvited: boolean;
}

export type Shape = (token: string) => Pick<Invite, "type" | "jid" | "allow_registration" | "uri">;

/**
 * `urn:xmpp:invite#invite`: become the requester's contact, and register if they may invite new users; such an
 * invite may also name circles of the requester's own (docs/circles.md).
 */
export async function createContactInvite(
  given: CreationDeps,
  actor: Actor,
  source: string,
  options: { readonly circles?: readonly string[]; readonly maxUses?: number } = {},
): Promise<CreatedInvite> {
  const { policy } = given;
  const inviter = actor.localUser;
  if (inviter === undefined) throw new InviteError("not-local-user");
  if (!mayCreateContactInvite(actor, policy)) throw new InviteError("contact-invites-admins-only");
  const deps = await limitsFor(given, actor);
  const uses = usesFor(deps, actor, options.maxUses);
  const allowRegistration = mayInviteNewUsers(actor, policy);
  // Circles are joined by registering: an invite that cannot register names none.
  const { groups } = allowRegistration ? await joinsFor(deps.circles, policy.domain, actor, options) : { groups: [] };
  const ttlSeconds = lifetimeFor(deps, actor);
  // The mark is in the signed record, so neither the server nor the bot's pages can be talked out of it; never on
  // an admin's invite, nor on one that registers nobody.
  const held = deps.approveUserInvited && allowRegistration && !actor.isAdmin;
  const data: InviteData = {
    ...(groups.length === 0 ? {} : { groups }),
    ...(uses > 1 ? { max_uses: uses } : {}),
    ...(held ? { approval: true } : {}),
  };
  return withinQuota(
    deps,
    actor,
    (claim) =>
      create(
        deps,
        (token) => ({
          type: "roster",
          jid: `${inviter}@${policy.domain}`,
          allow_registration: allowRegistration,
          uri: contactInviteUri(inviter, policy.domain, token, allowRegistration),
        }),
        source,
        { data, reusable: uses > 1, ttlSeconds, claim },
      ),
    { lifetimeSeconds: ttlSeconds, newPeople: allowRegistration, uses },
  );
}

/**
 * `urn:xmpp:invite#create-account`: register a new account (admins only),
 * optionally bound to a username, reusable, or making the admin a contact.
 */
export async function createAccountInvite(
  deps: CreationDeps,
  actor: Actor,
  source: string,
  options: AccountInviteOptions = {},
): Promise<CreatedInvite> {
  if (!mayCreateAccountInvite(actor)) throw new InviteError("account-invites-admins-only");
  const { domain } = deps.policy;
  const { maxUses = 1, note } = options;
  const username = options.username === undefined ? undefined : allowedUsername(options.username, deps.usernameRule);
  const inviter = actor.localUser;
  if (options.rosterSubscription && inviter === undefined) {
    throw new InviteError("roster-subscription-needs-local-account");
  }
  if (options.role !== undefined && deps.roles?.rolesOnJoin() !== true) throw new InviteError("roles-unsupported");
  const { groups, rooms } = await joinsFor(deps.circles, deps.policy.domain, actor, options);
  if (username !== undefined) await refuseHeldName(deps.store, username, deps.clock);
  const data: InviteData = {
    ...(username === undefined ? {} : { username }),
    ...(maxUses > 1 ? { max_uses: maxUses } : {}),
    ...(note === undefined ? {} : { note }),
    // Prosody 13's name for the circles an account joins (mod_invites), and ours for chats outside circles.
    ...(groups.length === 0 ? {} : { groups }),
    ...(rooms.length === 0 ? {} : { rooms }),
    // Prosody 13's key; our module trusts it because the record is signed (docs/prosody.md).
    ...(options.role === undefined ? {} : { roles: [options.role] }),
  };
  // XEP-0401 roster-subscription: the admin's contact invite that registers (mutual contacts); else a plain one.
  const shape: Shape =
    options.rosterSubscription && inviter !== undefined
      ? (token) => ({
          type: "roster",
          jid: `${inviter}@${domain}`,
          allow_registration: true,
          uri: contactInviteUri(inviter, domain, token, true),
        })
      : (token) => ({
          type: "register",
          jid: username === undefined ? domain : `${username}@${domain}`,
          allow_registration: true,
          uri: accountInviteUri(domain, token, username),
        });
  return create(deps, shape, source, { data, reusable: maxUses > 1, ttlSeconds: options.ttlSeconds });
}

/**
 * A new token, the invite in Prosody's shape with its landing page, saved, within the quota with a claim
 * (withinQuota); password-reset.ts too.
 */
export async function create(
  deps: CreationDeps,
  shape: Shape,
  source: string,
  extra: { data?: InviteData; reusable?: boolean; ttlSeconds?: number | undefined; claim?: QuotaClaim } = {},
): Promise<CreatedInvite> {
  const { store, invitePage, policy, random } = deps;
  const ttlSeconds = extra.ttlSeconds ?? deps.ttlSeconds;
  const token = generateToken(random);
  const createdAt = nowSeconds(deps.clock);
  const { type, jid, allow_registration, uri } = shape(token);
  const page = invitePage === undefined ? undefined : landingPage(invitePage, { token, uri, host: policy.domain });
  const invite: Invite = {
    type,
    jid,
    token,
    allow_registration,
    additional_data: { source, ...extra.data },
    uri,
    created_at: createdAt,
    expires: createdAt + ttlSeconds,
    reusable: extra.reusable ?? false,
    ...(page === undefined ? {} : { landing_page: page }),
  };
  await guarded(() => store.save(invite, extra.claim), NO_INVITE_CREATED);
  return { invite, landingUrl: page ?? uri };
}
