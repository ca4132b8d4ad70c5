/**
 * One flood budget for all the bot's instances (docs/instances.md): each instance keeps its own token bucket
 * (rate-limit.ts), which alone would give a requester one budget per instance; this counts their requests in the
 * storage's shared HitCounter too (Redis: one key per requester and window, src/storage/redis-hits.ts), so that two
 * instances together refuse at the same point as one. A fixed window the length of a full refill of the bucket
 * (`burst / perSecond` seconds) holds `burst` requests: the same rate over time, one round trip per request, and at
 * worst twice the burst across a window's edge, like the web pages' limits (src/web/rate-limits.ts).
 *
 * Alone — no other instance online (`needed`, own-resources.ts) — the instance's own bucket is exact, and it asks
 * Redis nothing: a request then costs no round trip for its flood check.
 *
 * Chat must not wait on a Redis that is away: a count that fails is skipped for SKIP_AFTER_FAILURE_MS, the local
 * bucket alone deciding meanwhile, logged once when it starts and once when counting works again.
 */
import type { HitCounter } from "../invites/store.js";
import type { Logger } from "../logger.js";
import type { RateDecision } from "./rate-limit.js";

/** How long after a failed count the instance decides alone, without asking Redis. */
export const SKIP_AFTER_FAILURE_MS = 5_000;
/** Requesters remembered as warned (told "slow down") at most; the oldest are forgotten first. */
const MAX_WARNED = 10_000;

export interface SharedFloodOptions {
  readonly burst: number;
  readonly perSecond: number;
  readonly log: Logger;
  /** Whether another instance may share the requesters (own-resources.ts); always, unless given. */
  readonly needed?: () => boolean;
  /** SKIP_AFTER_FAILURE_MS unless given (tests). */
  readonly skipAfterFailureMs?: number;
  readonly now?: () => number;
}

export class SharedFloodBudget {
  readonly #counter: HitCounter;
  readonly #burst: number;
  readonly #windowMs: number;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #skipMs: number;
  readonly #needed: () => boolean;
  /** requester → the channels already told to slow down in this flood. */
  readonly #warned = new Map<string, Set<string>>();
  #skipUntil = 0;
  #degraded = false;

  constructor(counter: HitCounter, options: SharedFloodOptions) {
    const { burst, perSecond, log, now = Date.now } = options;
    this.#counter = counter;
    this.#burst = burst;
    this.#windowMs = Math.max(1_000, Math.ceil((burst / perSecond) * 1_000));
    this.#log = log;
    this.#now = now;
    this.#skipMs = options.skipAfterFailureMs ?? SKIP_AFTER_FAILURE_MS;
    this.#needed = options.needed ?? (() => true);
  }

  /** Counts one request of `requester` (a bare JID) on `channel`; allowed while Redis cannot count it. */
  async take(requester: string, channel: string): Promise<RateDecision> {
    if (!this.#needed() || this.#now() < this.#skipUntil) return { allowed: true };
    let count: number;
    let resetInMs: number;
    try {
      ({ count, resetInMs } = await this.#counter.hit(`xmpp:${requester}`, this.#windowMs));
    } catch (error) {
      this.#skipUntil = this.#now() + this.#skipMs;
      if (!this.#degraded) {
        this.#log.warn("Counting requests for flood control in this instance alone while the store is away", {
          error: (error as Error).message,
        });
      }
      this.#degraded = true;
      return { allowed: true };
    }
    if (this.#degraded) this.#log.info("Counting requests for flood control across instances again");
    this.#degraded = false;
    if (count <= this.#burst) {
      this.#warned.delete(requester);
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.max(1, resetInMs), firstRefusal: this.#warn(requester, channel) };
  }

  /** Whether `requester` hears "slow down" on `channel` for the first time in this flood. */
  #warn(requester: string, channel: string): boolean {
    const channels = this.#warned.get(requester) ?? new Set<string>();
    if (channels.has(channel)) return false;
    if (!this.#warned.has(requester) && this.#warned.size >= MAX_WARNED) {
      const oldest = this.#warned.keys().next().value;
      if (oldest !== undefined) this.#warned.delete(oldest);
    }
    channels.add(channel);
    this.#warned.set(requester, channels);
    return true;
  }
}
