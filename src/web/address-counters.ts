/**
 * The per-address rate limits' counters (docs/web.md, "Safety"), in this process's memory: checked before
 * anything else, they cost no Redis round trip and put no key in the Redis that Prosody depends on, whatever a
 * visitor sends. Fixed windows, like the Redis counters, and a bounded number of addresses per window length.
 */
import type { HitCounter } from "../invites/store.js";

/** Addresses remembered per window length: about 150 bytes each, so a few MB at most. */
const MAX_COUNTED_ADDRESSES = 20_000;

interface Window {
  count: number;
  endsMs: number;
}

export class AddressCounters implements HitCounter {
  /**
   * One map per window length: every window in it is as long as the others, so the map's insertion order (a new
   * window is inserted anew) is the order in which they end, and the oldest is always the first.
   */
  readonly #windows = new Map<number, Map<string, Window>>();

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly capacity = MAX_COUNTED_ADDRESSES,
  ) {}

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const now = this.clock();
    let windows = this.#windows.get(windowMs);
    if (windows === undefined) {
      windows = new Map();
      this.#windows.set(windowMs, windows);
    }
    for (const [oldest, window] of windows) {
      if (window.endsMs > now) break;
      windows.delete(oldest);
    }
    let window = windows.get(key);
    if (window === undefined) {
      // One address too many: a flood from more addresses than that forgets the oldest window first.
      const oldest = windows.size >= this.capacity ? windows.keys().next().value : undefined;
      if (oldest !== undefined) windows.delete(oldest);
      window = { count: 0, endsMs: now + windowMs };
      windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.endsMs - now };
  }

  /** Addresses remembered now, over every window length. */
  get size(): number {
    let size = 0;
    for (const windows of this.#windows.values()) size += windows.size;
    return size;
  }
}
