/** The web pages' rate-limit counters in memory (HitCounter), in fixed windows on a clock: as redis-hits.ts counts. */
import type { Clock } from "../invites/expiry.js";
import type { HitCounter } from "../invites/store.js";

export function memoryHitCounter(clock: Clock): HitCounter {
  const windows = new Map<string, { count: number; endsMs: number }>();
  return {
    hit: async (key, windowMs) => {
      const now = clock();
      const current = windows.get(key);
      const window = current !== undefined && current.endsMs > now ? current : { count: 0, endsMs: now + windowMs };
      window.count += 1;
      windows.set(key, window);
      return { count: window.count, resetInMs: window.endsMs - now };
    },
  };
}
