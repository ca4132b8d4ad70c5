/**
 * Claims: the bot taking uses of invites itself, for servers without our registration hook (docs/servers.md), and
 * settling them. The port of src/storage/redis-claims.ts and redis-unsettled.ts; src/registration/ uses it.
 */
import type { InviteRecord, StoredInvite } from "./record.js";
import type { UseEvent } from "./use-event.js";

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
  /**
   * The pending invites bound to the username `local` (held-names.ts: a name held for another invite is refused
   * before the claim). Optional: claims without it hold no names.
   */
  boundTo?(local: string): Promise<readonly StoredInvite[]>;
}
