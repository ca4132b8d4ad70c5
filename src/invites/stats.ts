/**
 * The admins' summary (docs/console.md, "The summary"): how many invites were created, used and expired in the last
 * 7 and 30 days. The store keeps three logs a month long (docs/storage.md, "The summary's logs"): the invites it
 * saved, the uses the event stream told (noteUse), and the expiry of each invite until it is used up or revoked, so
 * that the expiries left behind in the past are the invites that expired. Password reset links are not invites and
 * are in none of them.
 */
import { InviteError } from "../errors.js";
import { type Clock, nowSeconds } from "./expiry.js";
import { guarded } from "./guarded.js";
import type { Actor } from "./permissions.js";

/** The windows of the summary, in days, each ending now. */
export const SUMMARY_DAYS: readonly number[] = [7, 30];
/** How long the logs keep an entry: the longest window, and a day to spare. */
export const LOG_KEPT_SECONDS = 31 * 86_400;

export interface InviteCounts {
  /** The window: the last `days` days up to now. */
  readonly days: number;
  readonly created: number;
  /** Uses told by the event stream: new accounts, contacts and existing accounts that joined. */
  readonly used: number;
  /** Invites whose expiry passed within the window before they were used up or revoked. */
  readonly expired: number;
}

/** One use as the event stream told it. */
export interface NotedUse {
  /** The stream entry's id: the same entry told twice (after a restart) is counted once. */
  readonly entryId: string;
  /** The invite's short id, when the entry has it. */
  readonly invite: string | undefined;
  /** Unix seconds. */
  readonly at: number;
}

/** The logs' port; the store's save, remove and edit keep the created and expiring logs themselves. */
export interface InviteStats {
  /**
   * Logs a use, once per entry. When no pending invite has its id any more and its expiry is still ahead, it was
   * used up: its expiry leaves the log, so it is not counted as expired later.
   */
  noteUse(use: NotedUse): Promise<void>;
  /** The counts of each window, ending at `now` (unix seconds). */
  counts(now: number, days: readonly number[]): Promise<InviteCounts[]>;
}

/** Admins: the counts of the last 7 and 30 days. */
export async function inviteSummary(stats: InviteStats, actor: Actor, clock: Clock): Promise<InviteCounts[]> {
  if (!actor.isAdmin) throw new InviteError("summary-admins-only");
  return guarded(() => stats.counts(nowSeconds(clock), SUMMARY_DAYS), "the summary cannot be shown");
}
