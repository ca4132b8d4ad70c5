/**
 * Flood control: a token bucket per requester (bare JID). Every request takes
 * a token; tokens come back at a steady rate. A requester who floods the bot
 * is told to slow down while everyone else is served as usual.
 */

export interface RateLimitOptions {
  /** Requests allowed in a burst. */
  readonly burst: number;
  /** Tokens returned per second. */
  readonly perSecond: number;
  /** Buckets kept at most; idle full ones are forgotten first. */
  readonly maxTracked?: number;
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** The channels ("iq", "chat") on which the requester already heard "slow down" since they ran out. */
  warned: Set<string>;
}

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly firstRefusal: boolean };

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #options: Required<RateLimitOptions>;

  constructor(options: RateLimitOptions) {
    this.#options = { maxTracked: 10_000, now: Date.now, ...options };
  }

  /** How many requesters are tracked now (at most `maxTracked`). */
  get tracked(): number {
    return this.#buckets.size;
  }

  /** Takes a token for `key`; `channel` tells refusals apart so each channel says "slow down" once. */
  take(key: string, channel = "any"): RateDecision {
    const { burst, perSecond, now } = this.#options;
    const at = now();
    const bucket = this.#buckets.get(key) ?? this.#track(key, at);
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = at;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.warned.clear();
      return { allowed: true };
    }
    const firstRefusal = !bucket.warned.has(channel);
    bucket.warned.add(channel);
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / perSecond) * 1000), firstRefusal };
  }

  #track(key: string, at: number): Bucket {
    if (this.#buckets.size >= this.#options.maxTracked) this.#forgetIdle(at);
    const bucket = { tokens: this.#options.burst, updatedAt: at, warned: new Set<string>() };
    this.#buckets.set(key, bucket);
    return bucket;
  }

  /** Drops buckets that would be full again by now; they hold no information. */
  #forgetIdle(at: number): void {
    const { burst, perSecond } = this.#options;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((at - bucket.updatedAt) / 1000) * perSecond >= burst) this.#buckets.delete(key);
    }
    // Still full of active floods: forget the oldest half rather than grow.
    if (this.#buckets.size >= this.#options.maxTracked) {
      for (const key of [...this.#buckets.keys()].slice(0, this.#buckets.size / 2)) this.#buckets.delete(key);
    }
  }
}

export function slowDownText(retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `You are sending requests too fast; please wait ${seconds} second${seconds === 1 ? "" : "s"} and try again.`;
}
