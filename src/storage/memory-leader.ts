/**
 * The leader lease in memory (src/invites/leadership.ts): the same rules as Redis's (redis-leader.ts), on a clock of
 * its own, for tests and for a bot on the memory backend (alone, it always takes the lease).
 */
import type { HeldLease, LeaderLease } from "../invites/leadership.js";

export class MemoryLeaderLease implements LeaderLease {
  #holder: { readonly name: string; readonly epoch: number; expiresAt: number } | undefined;
  #epoch = 0;

  /** `now`: milliseconds on a clock that only goes forward. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  async acquire(holder: string, ttlMs: number): Promise<HeldLease | undefined> {
    const current = this.#live();
    if (current !== undefined && current.name !== holder) return undefined;
    this.#epoch += 1;
    this.#holder = { name: holder, epoch: this.#epoch, expiresAt: this.now() + ttlMs };
    return { epoch: this.#epoch };
  }

  async renew(holder: string, lease: HeldLease, ttlMs: number): Promise<boolean> {
    const current = this.#live();
    if (current === undefined || current.name !== holder || current.epoch !== lease.epoch) return false;
    current.expiresAt = this.now() + ttlMs;
    return true;
  }

  async release(holder: string, lease: HeldLease): Promise<void> {
    const current = this.#live();
    if (current !== undefined && current.name === holder && current.epoch === lease.epoch) this.#holder = undefined;
  }

  #live() {
    if (this.#holder !== undefined && this.#holder.expiresAt <= this.now()) this.#holder = undefined;
    return this.#holder;
  }
}
