/**
 * What the use-event consumer (consumer.ts) reads next: its own pending entries first, after a start and after
 * anything went wrong (they may have been read and never acknowledged), then new ones; and now and then the entries
 * other instances left unacknowledged too long (XAUTOCLAIM, EventStream.claim), taken over and told here.
 */
import type { EventStream, StreamEntry } from "../invites/store.js";

/**
 * How long an entry stays pending for another instance before this one takes it over. Far above the time an
 * instance takes to send an entry's messages and acknowledge it (milliseconds; REDIS_TIMEOUT_MS per call), so a live
 * instance keeps what it is telling; short enough that an inviter hears of a use within a minute or two of the
 * instance that took it dying. An instance offline for longer loses its pending entries to the others, which tell
 * them in its place.
 */
export const CLAIM_IDLE_MS = 60_000;

export interface ReaderTiming {
  /** How long a read of new entries waits for one. */
  readonly blockMs: number;
  /** CLAIM_IDLE_MS unless given (tests); other instances' entries are looked for twice in that time. */
  readonly claimIdleMs?: number;
  readonly now?: () => number;
}

export class StreamReader {
  readonly #stream: EventStream;
  readonly #blockMs: number;
  readonly #claimIdleMs: number;
  readonly #now: () => number;
  #needPending = true;
  #nextClaim = 0;

  constructor(stream: EventStream, { blockMs, claimIdleMs = CLAIM_IDLE_MS, now = Date.now }: ReaderTiming) {
    this.#stream = stream;
    this.#blockMs = blockMs;
    this.#claimIdleMs = claimIdleMs;
    this.#now = now;
  }

  /** After a failure or a time offline: the next read is of this consumer's pending entries, from the start. */
  restart(): void {
    this.#needPending = true;
  }

  /** The next entries to handle (maybe none); `claimed` counts those taken over from other instances. */
  async next(): Promise<{ entries: StreamEntry[]; claimed: number }> {
    if (this.#needPending) {
      // Once per (re)start of reading: after a start, a Redis outage (which may have emptied it) or going offline.
      await this.#stream.ensureGroup();
      const pending = await this.#stream.read("pending", 0);
      if (pending.length > 0) return { entries: pending, claimed: 0 };
      this.#needPending = false;
      const claimed = await this.#claimDue();
      return { entries: claimed, claimed: claimed.length };
    }
    const entries = await this.#stream.read("new", this.#blockMs);
    const claimed = await this.#claimDue();
    return { entries: [...entries, ...claimed], claimed: claimed.length };
  }

  /** Twice per idle limit, and at once again while a look finds some (a batch at a time). */
  async #claimDue(): Promise<StreamEntry[]> {
    if (this.#now() < this.#nextClaim) return [];
    const claimed = await this.#stream.claim(this.#claimIdleMs);
    if (claimed.length === 0) this.#nextClaim = this.#now() + this.#claimIdleMs / 2;
    return claimed;
  }
}
