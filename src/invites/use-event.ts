/** Use events: what the event stream holds and how it is read (docs/storage.md, "Use events"). */
import type { HoldWay } from "./approvals.js";

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
  /** A registration held for an admin's approval (APPROVE_USER_INVITED, approvals.ts), and how it is held. */
  readonly held?: HoldWay;
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
  /**
   * Takes over entries that any consumer of the group left unacknowledged for at least `minIdleMs` (an instance that
   * stopped and never came back), as this consumer's own, and returns them: up to one batch, call again for more.
   * Entries trimmed from the stream while pending are acknowledged on the way: there is nothing left to tell.
   */
  claim(minIdleMs: number): Promise<StreamEntry[]>;
  close(): Promise<void>;
}
