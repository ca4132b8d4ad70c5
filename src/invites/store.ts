import type { EventStream } from "../notifications/consumer.js";
import type { Invite } from "./invite.js";

/**
 * Where invites live. Mirrors Prosody's `invite_token` map store (DESIGN.md §3):
 * a host-level entry (token → invite) when the invite allows registration, and an
 * inviter-level entry (inviter, token → expires) for contact invites. Both are
 * written at once and disappear when the invite expires.
 */
export interface InviteStore {
  /** Stores every entry the invite needs, all or nothing; throws StoreUnavailableError. */
  save(invite: Invite): Promise<void>;
  /** The host-level entry, if it exists and has not expired. */
  findByToken(token: string): Promise<Invite | undefined>;
  /** The inviter-level entry's expiry (unix seconds), if it exists. */
  findContactExpiry(inviterLocal: string, token: string): Promise<number | undefined>;
  /** Every live entry of this host, grouped by token. */
  listAll(): Promise<StoredInvite[]>;
  /** Deletes every entry of these invites at once; resolves with how many of them still existed. */
  remove(invites: readonly StoredInvite[]): Promise<number>;
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

/** What the store holds for one token: the host-level invite and/or inviter-level expiries. */
export interface StoredInvite {
  readonly token: string;
  readonly invite?: Invite;
  readonly inviters: readonly { readonly local: string; readonly expires: number }[];
}

/** A store with a connection to manage; the app opens it on start and closes it on stop. */
export interface ManagedInviteStore extends InviteStore, QuotaStore, RelationsStore {
  /** Starts connecting; must not wait for or require the backend to be up. */
  connect(): void;
  close(): Promise<void>;
  /** The server's invite use events, when the store carries them (Redis does). */
  eventStream?(consumer: string): EventStream;
}

/** The store could not be reached or did not answer in time. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
