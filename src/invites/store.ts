import type { Invite } from "./invite.js";
import type { InviteKind, StoredInvite } from "./record.js";

export type {
  ClaimedInvite,
  ClaimOutcome,
  ClaimPurpose,
  InviteClaims,
  UnsettledClaim,
} from "./claims.js";
export type { EventStream, StreamEntry, UseEvent } from "./use-event.js";

/**
 * Where invites live (docs/storage.md). Each invite is one record named by the
 * hash of its token, in indexes per host and per inviter, so that a list reads
 * only the invites it shows. Records that fail their signature check are not
 * returned by any method.
 */
export interface InviteStore {
  /**
   * Stores the invite with its indexes, all or nothing; throws StoreUnavailableError. With a claim, the claim's
   * limits are checked and its place taken in the same step (QuotaStore's rules; in Redis one script, one round
   * trip): refused, nothing is stored and it throws QuotaRefusedError.
   */
  save(invite: Invite, claim?: QuotaClaim): Promise<void>;
  /** A page of the host's pending invites, soonest to expire first, and how many there are in all. */
  listPage(query: PageQuery): Promise<InvitePage>;
  /** The pending invites whose id (first 8 characters of the hash) is `id`; usually one, rarely more. */
  findById(id: string): Promise<StoredInvite[]>;
  /**
   * The stored invite of this token, or undefined: unknown, gone at its expiry, or not signed with our key. A
   * counted invite comes with the uses it has taken. Whether it can still be used is decided by the domain
   * (invite-links.ts), not here.
   */
  findByToken(token: string): Promise<StoredInvite | undefined>;
  /** Deletes these invites and their index entries at once; resolves with how many still existed. */
  remove(invites: readonly StoredInvite[]): Promise<number>;
  /**
   * Changes a pending invite's expiry and uses (editing.ts says which changes are allowed): the record is re-signed
   * and written with its TTL and every index score in one atomic step, re-read first, so that a use or an edit made
   * meanwhile is neither lost nor overwritten (docs/storage.md, "Editing an invite").
   */
  edit(hash: string, change: InviteEdit): Promise<EditOutcome>;
  /**
   * The pending invites bound to the username `local` (lower case; the `for:LOCAL` index), reset links included:
   * what holds a name (held-names.ts). Optional: a store without it holds no names.
   */
  boundTo?(local: string): Promise<StoredInvite[]>;
}

/** What an edit sets; what it leaves out stays as it is. */
export interface InviteEdit {
  /** Unix seconds, in the future. */
  readonly expires?: number;
  /** 1 makes the invite single use; more makes it a counted invite with that cap (record.ts, maxUsesOf). */
  readonly maxUses?: number;
}

export type EditOutcome =
  | { readonly ok: true; readonly invite: StoredInvite }
  /** gone: not pending (unknown, expired, revoked, used up, not signed with our key); used: the new cap is not above the uses taken. */
  | { readonly ok: false; readonly reason: "gone" | "used" };

export interface PageQuery {
  /** Only the invites this bare JID made; all of the host's when absent. */
  readonly inviter?: string;
  /** Only invites of this kind (record.ts, kindOf). */
  readonly kind?: InviteKind;
  /** Only invites that expire at or before this time (unix seconds). */
  readonly expiresBy?: number;
  readonly offset: number;
  readonly limit: number;
}

export interface InvitePage {
  readonly invites: readonly StoredInvite[];
  /** Pending invites in the whole list (not just this page). */
  readonly total: number;
}

/** One pending invite as stored: its hash and verified record, and the uses a counted invite has taken. */
/** Defined beside the record so that the claims port (claims.ts) can name it too without an import circle. */
export type { StoredInvite } from "./record.js";

/** Who invited whom, as the server recorded it when invites were used; kept after invites are gone. */
export interface RelationsStore {
  whoInvited(invitee: string): Promise<string | undefined>;
  inviteesOf(inviter: string): Promise<string[]>;
  /**
   * When each of these accounts registered through an invite (Unix seconds, the `joined` record), for those that
   * have the record; one round trip. Optional: a store without it knows no dates.
   */
  joinedAt?(jids: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** The limits of one requester's invites (src/invites/quota.ts): each undefined is no limit. */
export interface QuotaRules {
  /** At most this many reservations in any `windowMs`. */
  readonly limit: number | undefined;
  readonly windowMs: number;
  /** At most this many invites pending at once: the requester's unexpired invites, and reservations in flight. */
  readonly maxPending: number | undefined;
  /** How long the invite of this reservation will last, for when a place in flight frees up (default: a day). */
  readonly lifetimeMs?: number;
  /**
   * The youngest an account may be to make this invite, by when it registered through an invite (the `joined`
   * record); an account without that record (made before it was kept, or not through an invite) is old enough.
   */
  readonly minAccountAgeMs?: number;
  /**
   * The tree budget: at most this many accounts below the topmost account above the requester that is not in
   * `exempt` (its whole invite tree), counting the registrations its pending invites can still make and the places
   * in flight, this invite's `uses` included.
   */
  readonly treeMax?: number;
  /** The chain's pace: no invite while the requester's inviter (not in `exempt`) registered less than this ago. */
  readonly chainPaceMs?: number;
  /** The registrations the invite to come can make (its uses); 0 for one that registers nobody; default 1. */
  readonly uses?: number;
  /** Accounts the tree rules stop at going up (the admins): each is the top of no user's tree. */
  readonly exempt?: readonly string[];
}

/** Which limit refused a reservation: QuotaRules.limit, maxPending, minAccountAgeMs, treeMax or chainPaceMs. */
export type QuotaRule = "period" | "pending" | "account-age" | "tree" | "pace";

/**
 * The member of a reservation: unique, and saying how many registrations its invite can make, for the tree budget
 * to count a place in flight (redis-quota.ts reads it back in Lua: `#(%d+)$`).
 */
export function reservationMember(id: string, uses: number): string {
  return `${id}#${uses}`;
}

/** The registrations a reservation's member says its invite can make (1 for a member without the count). */
export function usesOfMember(member: string): number {
  const match = /#(\d+)$/u.exec(member);
  return match === null ? 1 : Number(match[1]);
}

/**
 * The outcome of asking for one more invite; refused, when a place frees up at the latest (Unix ms), 0 when waiting
 * frees none (a tree full of accounts).
 */
export type QuotaDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: QuotaRule; readonly retryAtMs: number };

/** A place under `rules` for `subject`'s invite, asked with its save (InviteStore.save); `member` names it. */
export interface QuotaClaim {
  readonly subject: string;
  readonly rules: QuotaRules;
  readonly member: string;
}

/** InviteStore.save refused a claim: which limit, and when a place frees up. */
export class QuotaRefusedError extends Error {
  constructor(readonly decision: Extract<QuotaDecision, { allowed: false }>) {
    super(`refused by the ${decision.rule} limit`);
    this.name = "QuotaRefusedError";
  }
}

/** How long a reservation counts as pending without its invite being saved (a process that died meanwhile). */
export const RESERVATION_LEASE_MS = 60_000;

/** QuotaRules.lifetimeMs when not given. */
export const DEFAULT_LIFETIME_MS = 86_400_000;

/**
 * The limits of QuotaRules per requester, checked and taken in one step, shared by every bot instance on the same
 * store: racing requests cannot both take the last place.
 */
export interface QuotaStore {
  /**
   * A place in flight, counted as pending for RESERVATION_LEASE_MS or until released, for an invite not made yet;
   * the bot's own invites take theirs in their save instead (InviteStore.save with a claim), in one step.
   */
  reserve(subject: string, rules: QuotaRules, member: string): Promise<QuotaDecision>;
  /** Gives a place back (the invite could not be saved). */
  release(subject: string, member: string): Promise<void>;
}

/** Counters in fixed windows, shared by every bot instance (the web pages' rate limits: src/web/rate-limits.ts). */
export interface HitCounter {
  /** Counts one hit on `key` in a window of `windowMs` starting at its first hit; resolves with the count so far. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
}

/** The store could not be reached or did not answer in time. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
