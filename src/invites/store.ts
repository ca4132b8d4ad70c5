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
  /** Stores the invite with its indexes, all or nothing; throws StoreUnavailableError. */
  save(invite: Invite): Promise<void>;
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
}

/** The outcome of asking for one more invite under a quota. */
export type QuotaDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAtMs: number };

/**
 * A rolling-window counter per requester, shared by every bot instance on the
 * same store: at most `limit` reservations in any `windowMs`.
 */
export interface QuotaStore {
  reserve(subject: string, limit: number, windowMs: number, member: string): Promise<QuotaDecision>;
  /** Gives a reservation back (the invite could not be saved). */
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
