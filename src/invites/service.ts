/**
 * `InviteService`, the domain's one face for the commands and the web: creating invites (creation.ts, within the
 * quota of quota.ts) and managing those that exist (management.ts, editing.ts, tree.ts, tree-details.ts; the accounts
 * of a tree: tree-disable.ts; accounts held for approval: approval-service.ts). Knows nothing of XMPP or Redis.
 */
import { type EventSink, silentSink } from "../events.js";
import type { AccountControl } from "./account-control.js";
import { type ApprovalDeps, Approvals } from "./approval-service.js";
import type { CircleChoice } from "./circle-choice.js";
import { type CreationDeps, createAccountInvite, createContactInvite } from "./creation.js";
import { editInvite, type InviteChange, longestLifetime } from "./editing.js";
import { type Clock, systemClock } from "./expiry.js";
import type { CreatedInvite } from "./invite.js";
import type { CreatedKind, InviteEvents } from "./invite-events.js";
import {
  type ListQuery,
  listInvites,
  type PendingList,
  relationsOf,
  revokeAllOf,
  revokeInvites,
} from "./management.js";
import type { AccountInviteOptions } from "./options.js";
import { createPasswordResetInvite } from "./password-reset.js";
import { inviteId, type PendingInvite } from "./pending.js";
import type { Actor, Policy } from "./permissions.js";
import type { RolePolicy, UserRoles } from "./role-policy.js";
import type { RoleSupport } from "./roles.js";
import type { InviteStore, QuotaStore, RelationsStore } from "./store.js";
import type { RandomSource } from "./token.js";
import { revokeTree, type TreeRevocation } from "./tree.js";
import { type DetailedTree, detailedTree } from "./tree-details.js";
import { TreeAccounts } from "./tree-disable.js";
import type { UsernameRule } from "./username.js";

export interface InviteServiceOptions {
  readonly store: InviteStore & QuotaStore & RelationsStore;
  /** Invites a non-admin may create per rolling period (quotaPeriodSeconds, 24 hours unless set); undefined = no limit. */
  readonly quota?: number;
  readonly quotaPeriodSeconds?: number;
  /** Invites a non-admin may have pending at once; undefined = no limit. */
  readonly maxPending?: number;
  /** The longest a non-admin's invite lasts (ttlSeconds if shorter); undefined = ttlSeconds. */
  readonly userMaxTtlSeconds?: number;
  /** How old a non-admin's account must be to invite new people (by its `joined` record); undefined or 0 = any. */
  readonly minAccountAgeSeconds?: number;
  /** The most uses a non-admin's invite may have; undefined = 1, single use. */
  readonly userMaxUses?: number;
  /** The most accounts a user's whole invite tree may hold (quota.ts); undefined = no limit. */
  readonly treeMax?: number;
  /** How long after its inviter registered an account may invite new people (quota.ts); undefined or 0 = at once. */
  readonly chainPaceSeconds?: number;
  /** The policy per role (role-policy.ts), and where each user's role comes from; the default policy without them. */
  readonly rolePolicies?: ReadonlyMap<string, RolePolicy>;
  readonly userRoles?: UserRoles;
  readonly policy: Policy;
  readonly ttlSeconds: number;
  readonly invitePage: string | undefined;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  /** The username rule (src/invites/username.ts) that bound usernames follow; by default without lookalikes. */
  readonly usernameRule?: UsernameRule;
  readonly events?: EventSink<InviteEvents>;
  /** Which circles an account invite may name (src/circles/service.ts); none without it. */
  readonly circles?: CircleChoice;
  /** Whether the server gives new accounts an invite's role (roles.ts); no roles without it. */
  readonly roles?: RoleSupport;
  /** Disabling and enabling accounts on the server (account-control.ts); none without it. */
  readonly accounts?: AccountControl;
  /** APPROVE_USER_INVITED: non-admins' invites that register are marked for an admin's approval; false unless set. */
  readonly approveUserInvited?: boolean;
  /** The held accounts' list, who makes a held registration's account, and how inviters hear (approval-service.ts). */
  readonly approvals?: Pick<ApprovalDeps, "store" | "maker" | "tell">;
}

export class InviteService {
  readonly #deps: CreationDeps & { readonly store: InviteStore & QuotaStore & RelationsStore };
  /** Admins: disabling the accounts of a tree, or one account, and enabling one again (tree-disable.ts). */
  readonly accounts: TreeAccounts;
  /** Admins: the accounts waiting for approval, approved or rejected (approval-service.ts). */
  readonly approvals: Approvals;
  readonly #events: EventSink<InviteEvents>;

  constructor(options: InviteServiceOptions) {
    this.#deps = {
      ...options,
      ...{ quota: options.quota, random: options.random, circles: options.circles, roles: options.roles },
      clock: options.clock ?? systemClock,
      usernameRule: options.usernameRule ?? {},
      approveUserInvited: options.approveUserInvited ?? false,
    };
    this.#events = options.events ?? silentSink();
    this.accounts = new TreeAccounts({ ...this.#deps, control: options.accounts }, this.#events);
    const { store, maker, tell } = options.approvals ?? {};
    this.approvals = new Approvals({ policy: options.policy, control: options.accounts, store, maker, tell });
  }

  get policy(): Policy {
    return this.#deps.policy;
  }

  /** The rule every new username follows (USERNAME_CONFUSABLES included). */
  get usernameRule(): UsernameRule {
    return this.#deps.usernameRule;
  }

  /** Whether an account invite may give the new account a role (src/invites/roles.ts). */
  get rolesOnJoin(): boolean {
    return this.#deps.roles?.rolesOnJoin() === true;
  }

  /** The default invite lifetime (INVITE_TTL). */
  get ttlSeconds(): number {
    return this.#deps.ttlSeconds;
  }

  /** `urn:xmpp:invite#invite`: become the requester's contact, and register if they may invite new users. */
  createContactInvite(
    actor: Actor,
    source: string,
    options: { readonly circles?: readonly string[]; readonly maxUses?: number } = {},
  ): Promise<CreatedInvite> {
    return this.#created("contact", actor, createContactInvite(this.#deps, actor, source, options));
  }

  /** `urn:xmpp:invite#create-account`: admins only; bound to a username, reusable, or making the admin a contact. */
  createAccountInvite(actor: Actor, source: string, options: AccountInviteOptions = {}): Promise<CreatedInvite> {
    return this.#created("account", actor, createAccountInvite(this.#deps, actor, source, options));
  }

  /** A link that sets a new password for an existing account (admins only), valid for one day. */
  createPasswordResetInvite(actor: Actor, source: string, account: string): Promise<CreatedInvite> {
    return this.#created("password-reset", actor, createPasswordResetInvite(this.#deps, actor, source, account));
  }

  /** One page of the pending invites this requester may see, soonest to expire first. */
  listInvites(actor: Actor, query: ListQuery = {}): Promise<PendingList> {
    return listInvites(this.#deps, actor, query);
  }

  /** Revokes one visible invite by its short id. */
  async revokeInvite(actor: Actor, id: string): Promise<PendingInvite> {
    return (await this.revokeInvites(actor, [id]))[0] as PendingInvite;
  }

  /** Revokes visible invites by their short ids; at one that matches nothing, invite-not-found. */
  async revokeInvites(actor: Actor, ids: readonly string[]): Promise<PendingInvite[]> {
    return this.#revoked(actor, await revokeInvites(this.#deps, actor, ids));
  }

  /** Admins: revokes every pending invite of one user; resolves with how many. */
  async revokeAllOf(actor: Actor, inviter: string): Promise<number> {
    const count = await revokeAllOf(this.#deps, actor, inviter);
    this.#events.emit("invites-revoked", { count, by: actor.jid });
    return count;
  }

  /** Admins: who invited this user, and whom this user invited (bare JIDs). */
  relationsOf(actor: Actor, jid: string): Promise<{ invitedBy: string | undefined; invitees: string[] }> {
    return relationsOf(this.#deps, actor, jid);
  }

  /** The longest lifetime from now this requester may give an invite of this kind (editing.ts). */
  longestLifetime(actor: Actor, kind: PendingInvite["kind"]): number {
    return longestLifetime(this.#deps, actor, kind);
  }

  /** A new expiry, and new uses for a counted invite, of one visible invite by its short id (editing.ts). */
  async editInvite(actor: Actor, id: string, change: InviteChange): Promise<PendingInvite> {
    const edited = await editInvite(this.#deps, actor, id, change);
    this.#events.emit("invite-edited", { id: edited.id, by: actor.jid });
    return edited;
  }

  /** Everyone `jid` invited, down any depth, with pending invites and dates (tree-details.ts); users only their own. */
  inviteTree(actor: Actor, jid: string): Promise<DetailedTree> {
    return detailedTree(this.#deps, actor, jid);
  }

  /** Admins: revokes every pending invite of `jid` and of everyone in its tree. */
  async revokeTree(actor: Actor, jid: string): Promise<TreeRevocation> {
    const revocation = await revokeTree(this.#deps, actor, jid);
    this.#events.emit("invites-revoked", { count: revocation.revoked, by: actor.jid });
    return revocation;
  }

  async #created(kind: CreatedKind, actor: Actor, creating: Promise<CreatedInvite>): Promise<CreatedInvite> {
    const created = await creating;
    const { invite } = created;
    this.#events.emit("invite-created", { id: inviteId(invite.token), kind, type: invite.type, by: actor.jid });
    return created;
  }

  #revoked<T extends readonly PendingInvite[]>(actor: Actor, revoked: T): T {
    this.#events.emit("invites-revoked", { count: revoked.length, by: actor.jid });
    return revoked;
  }
}
