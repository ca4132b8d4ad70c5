import type { Invite } from "./invite.js";
import type { InviteRecord } from "./record.js";

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
  readonly offset: number;
  readonly limit: number;
}

export interface InvitePage {
  readonly invites: readonly StoredInvite[];
  /** Pending invites in the whole list (not just this page). */
  readonly total: number;
}

/** One pending invite as stored: its hash and verified record, and the uses a counted invite has taken. */
export interface StoredInvite {
  readonly hash: string;
  readonly record: InviteRecord;
  readonly used: number;
}

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

/** One use of an invite taken by the bot itself (docs/servers.md), with the way to give it back. */
export interface ClaimedInvite {
  readonly hash: string;
  /** The short id lists and use events show. */
  readonly id: string;
  readonly record: InviteRecord;
  /**
   * The account was not made: the invite works again as before the claim (unless it expired meanwhile). At most
   * once per claim, however often it is called; when the store cannot take it now, it is done as soon as it can.
   */
  giveBack(): Promise<void>;
  /**
   * The account was made: the use stands, and nothing is kept for giving it back. A claim with a purpose records the
   * use now, or as soon as the store can take it (once, however often it is tried).
   */
  keep(): Promise<void>;
}

export type ClaimOutcome =
  | { readonly ok: true; readonly claim: ClaimedInvite }
  /** gone: unknown, expired, revoked, used, or not signed with our key; used-up: a counted invite at its cap. */
  | { readonly ok: false; readonly reason: "gone" | "used-up" };

/**
 * A use of an invite as the event stream holds it (docs/storage.md, "Use events"): written by the Prosody module,
 * or by the bot as the hook (InviteClaims.recordUse), and read back by src/notifications/.
 */
export interface UseEvent {
  /** The stream entry's id, on an event read back from the stream. */
  readonly id?: string;
  /**
   * registered: a new account made with the invite; joined: an existing account of the host joined the invite's
   * circles through its link; subscribed: a contact invite's roster subscription.
   */
  readonly kind: "registered" | "subscribed" | "joined";
  /** Bare JID of the invite's maker, when known. */
  readonly inviter: string | undefined;
  readonly invitee: string;
  /** The invite's short id (never the token); an entry read back may lack it, a use the bot records has it. */
  readonly invite: string | undefined;
  /** Unix seconds. */
  readonly at: number;
  /**
   * The group chats outside circles that the invite's record names (additional_data.rooms): bare room JIDs, in the
   * record's order without repeats; empty when the event names none.
   */
  readonly rooms: readonly string[];
}

/** One entry of the use-event stream as read. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Record<string, string>;
  /** Whether the entry's tag verifies with the signing key (src/storage/event-tag.ts). */
  readonly signed: boolean;
}

/** The few stream commands the use-event loop (src/notifications/consumer.ts) needs, so it can be tested with a fake. */
export interface EventStream {
  /** Creates the group at the start of the stream if it does not exist. */
  ensureGroup(): Promise<void>;
  /** `pending` = this consumer's unacknowledged entries; otherwise new ones, waiting up to blockMs. */
  read(which: "pending" | "new", blockMs: number): Promise<StreamEntry[]>;
  /** Acknowledges an entry: it will not be read again. */
  ack(id: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * What a claim takes its use for, when that use is to be recorded: a registration of `invitee` (a bare JID), or an
 * existing account `invitee` joining the invite's circles. The recorded event takes its `rooms` from the claimed
 * record (the storage layer reads them), so callers pass nothing more.
 */
export interface ClaimPurpose {
  readonly kind: "registered" | "joined";
  readonly invitee: string;
}

/**
 * A use claimed and not settled by the process that claimed it (it stopped, or gave up waiting for the store): the
 * account decides (docs/storage.md, "Unsettled uses").
 */
export interface UnsettledClaim {
  readonly claimId: string;
  /** The account whose existence settles it. */
  readonly invitee: string;
  /** The invite's short id. */
  readonly id: string;
  /**
   * The invite's record as the claim read it, verified with the signing keys: the circles the account joins before
   * the use is kept (a run that stopped may not have joined them).
   */
  readonly record: InviteRecord;
  /** The account exists: the use stands and is recorded, once. Rejects while the store does not answer. */
  keep(): Promise<void>;
  /** No such account: the use goes back, once. Rejects while the store does not answer. */
  giveBack(): Promise<void>;
}

/** Claiming invites and recording their use from the bot's side, for servers without our hook. */
export interface InviteClaims {
  /**
   * Takes one use of the invite. With a `purpose`, keeping the claim records the use (once), and a claim this
   * process does not settle is found again by unsettled().
   */
  claim(token: string, purpose?: ClaimPurpose): Promise<ClaimOutcome>;
  /** Claims with a purpose made more than `olderThanMs` ago that no process settled; not this process's own. */
  unsettled(olderThanMs: number): Promise<readonly UnsettledClaim[]>;
  recordUse(event: UseEvent & { readonly invite: string }): Promise<void>;
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
