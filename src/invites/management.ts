/**
 * What can be done with invites that exist: listing the pending ones 25 to a page, revoking them by id or all of
 * one inviter's, and looking up who invited whom. Users see and revoke their own; admins everyone's.
 */
import { InviteError } from "../errors.js";
import { type Clock, nowSeconds } from "./expiry.js";
import { guarded } from "./guarded.js";
import { type PendingInvite, toPending } from "./pending.js";
import type { Actor } from "./permissions.js";
import type { InviteKind } from "./record.js";
import type { InviteStore, RelationsStore } from "./store.js";

/** Invites per page of a list (chat and ad-hoc). */
export const PAGE_SIZE = 25;

const REVOKE_BATCH = 500;
const REVOKE_ALL_MAX_ROUNDS = 1_000;

/** One page of a list of pending invites. */
export interface PendingList {
  readonly invites: readonly PendingInvite[];
  /** How many pending invites the whole list has. */
  readonly total: number;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
}

/** Which pending invites a list shows: a page (1-based), and filters; a user's inviter is always themselves. */
export interface ListQuery {
  readonly inviter?: string;
  readonly page?: number;
  readonly kind?: InviteKind;
  /** Only invites that expire at or before this time (unix seconds). */
  readonly expiresBy?: number;
}

export interface ManagementDeps {
  readonly store: InviteStore & RelationsStore;
  readonly clock: Clock;
}

/**
 * One page of the pending invites this requester may see: their own, or
 * everyone's for an admin (optionally only one inviter's), soonest to expire first.
 */
export async function listInvites(deps: ManagementDeps, actor: Actor, query: ListQuery = {}): Promise<PendingList> {
  const inviter = actor.isAdmin ? query.inviter : actor.jid;
  const page = Math.max(1, Math.floor(query.page ?? 1));
  const now = nowSeconds(deps.clock);
  const { invites, total } = await guarded(
    () =>
      deps.store.listPage({
        ...(inviter === undefined ? {} : { inviter }),
        ...(query.kind === undefined ? {} : { kind: query.kind }),
        ...(query.expiresBy === undefined ? {} : { expiresBy: query.expiresBy }),
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
      }),
    "the list cannot be shown",
  );
  const pendings = invites
    .map((stored) => toPending(stored, now))
    .filter((pending): pending is PendingInvite => pending !== undefined);
  return { invites: pendings, total, page, pageSize: PAGE_SIZE };
}

/**
 * Revokes visible invites by their short ids: each id is an index lookup, whatever the
 * size of the store, all sent at once; then the matches are removed at once.
 * At an id that matches nothing visible, the ones before it are revoked and invite-not-found is thrown.
 */
export async function revokeInvites(
  deps: ManagementDeps,
  actor: Actor,
  ids: readonly string[],
): Promise<PendingInvite[]> {
  const now = nowSeconds(deps.clock);
  const { store } = deps;
  // All lookups at once (one pipelined round trip to Redis), read in the order given.
  const founds = await guarded(() => Promise.all(ids.map((id) => store.findById(id))));
  const matched: PendingInvite[] = [];
  let missing = false;
  for (const found of founds) {
    const visible = found
      .map((stored) => toPending(stored, now))
      .filter((p): p is PendingInvite => p !== undefined && (actor.isAdmin || p.inviter === actor.jid));
    if (visible.length === 0) {
      missing = true;
      break;
    }
    matched.push(...visible);
  }
  if (matched.length > 0) await guarded(() => store.remove(matched.map((p) => p.stored)));
  if (missing) throw new InviteError("invite-not-found");
  return matched;
}

/** Admins: revokes every pending invite of one user; resolves with how many. */
export async function revokeAllOf(deps: ManagementDeps, actor: Actor, inviter: string): Promise<number> {
  if (!actor.isAdmin) throw new InviteError("revoke-all-admins-only");
  return revokeMadeBy(deps.store, inviter);
}

/** Every pending invite one account made (no permission check: the callers' own); resolves with how many. */
export async function revokeMadeBy(store: Pick<InviteStore, "listPage" | "remove">, inviter: string): Promise<number> {
  let revoked = 0;
  // Each round removes what it read, so the first page is always the next batch.
  for (let round = 0; round < REVOKE_ALL_MAX_ROUNDS; round += 1) {
    const { invites } = await guarded(() => store.listPage({ inviter, offset: 0, limit: REVOKE_BATCH }));
    if (invites.length === 0) break;
    revoked += await guarded(() => store.remove(invites));
  }
  return revoked;
}

/** Admins: who invited this user, and whom this user invited (bare JIDs). */
export async function relationsOf(
  deps: ManagementDeps,
  actor: Actor,
  jid: string,
): Promise<{ invitedBy: string | undefined; invitees: string[] }> {
  if (!actor.isAdmin) throw new InviteError("relations-admins-only");
  const { store } = deps;
  const [invitedBy, invitees] = await guarded(
    () => Promise.all([store.whoInvited(jid), store.inviteesOf(jid)]),
    "I cannot look it up",
  );
  return { invitedBy, invitees };
}
