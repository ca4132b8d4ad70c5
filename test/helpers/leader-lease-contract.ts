/**
 * The LeaderLease contract (src/invites/leadership.ts, docs/instances.md), run against every implementation: memory
 * in unit tests, Redis in integration (with a "backend away" group there).
 */
import { describe, expect, it } from "vitest";
import type { LeaderLease } from "../../src/invites/leadership.js";
import { StoreUnavailableError } from "../../src/invites/store.js";
import { type BackendAway, rejection, timed } from "./backend-away.js";

export interface LeaderLeaseSubject {
  /** The lease as two instances on the same store see it. */
  readonly lease: LeaderLease;
  readonly sibling: LeaderLease;
  /** Resolves once a lease taken for `ttlMs` has run out (a fake clock moved on, or the store's TTL waited out). */
  expire(ttlMs: number): Promise<void>;
  /** Nobody holds the lease (between tests). */
  clear(): Promise<void>;
}

const TTL = 5_000;
/** Short enough for a real store to let run out in a test. */
const SHORT_TTL = 300;

export function leaderLeaseContract(
  name: string,
  subject: () => LeaderLeaseSubject,
  { away = [] }: { readonly away?: readonly BackendAway[] } = {},
): void {
  describe(`${name} follows the LeaderLease contract`, () => {
    it("goes to one instance at a time, with an epoch greater than every earlier one", async () => {
      await subject().clear();
      const { lease, sibling } = subject();
      const [a, b] = await Promise.all([lease.acquire("a", TTL), sibling.acquire("b", TTL)]);
      expect([a, b].filter((taken) => taken !== undefined)).toHaveLength(1);
      const [winner, holder] = a !== undefined ? [a, "a"] : [b, "b"];
      await (holder === "a" ? lease : sibling).release(holder, winner as NonNullable<typeof a>);
      const next = await sibling.acquire("c", TTL);
      expect(next?.epoch).toBeGreaterThan(winner?.epoch ?? Infinity);
    });

    it("is renewed by its holder with its epoch only", async () => {
      await subject().clear();
      const { lease, sibling } = subject();
      const held = await lease.acquire("a", TTL);
      if (held === undefined) throw new Error("the free lease was not taken");
      expect(await lease.renew("a", held, TTL)).toBe(true);
      expect(await sibling.renew("b", held, TTL)).toBe(false);
      expect(await sibling.renew("a", { epoch: held.epoch - 1 }, TTL)).toBe(false);
      expect(await sibling.acquire("b", TTL)).toBeUndefined();
      // Giving it up with a wrong epoch does nothing.
      await sibling.release("a", { epoch: held.epoch + 1 });
      expect(await sibling.acquire("b", TTL)).toBeUndefined();
      await lease.release("a", held);
      expect(await sibling.acquire("b", TTL)).toBeDefined();
    });

    it("runs out unless renewed; then another takes it, and the old holder can no longer renew it", async () => {
      await subject().clear();
      const { lease, sibling, expire } = subject();
      const held = await lease.acquire("a", SHORT_TTL);
      if (held === undefined) throw new Error("the free lease was not taken");
      await expire(SHORT_TTL);
      const taken = await sibling.acquire("b", TTL);
      expect(taken?.epoch).toBeGreaterThan(held.epoch);
      expect(await lease.renew("a", held, TTL)).toBe(false);
      expect(await lease.acquire("a", TTL)).toBeUndefined();
    });

    it("is taken again by its own holder's name (the same instance, restarted) with a new epoch", async () => {
      await subject().clear();
      const { lease, sibling } = subject();
      const before = await lease.acquire("a", TTL);
      const again = await sibling.acquire("a", TTL);
      expect(again?.epoch).toBeGreaterThan(before?.epoch ?? Infinity);
      // The first taking's epoch is fenced off.
      if (before !== undefined) expect(await lease.renew("a", before, TTL)).toBe(false);
    });

    for (const backend of away) {
      describe(`backend away: ${backend.name}`, () => {
        it("rejects with StoreUnavailableError in time, and works again once the backend is back", async () => {
          await subject().clear();
          const { lease } = subject();
          const held = await lease.acquire("a", TTL);
          if (held === undefined) throw new Error("the free lease was not taken");
          await backend.enter();
          try {
            const calls: (() => Promise<unknown>)[] = [
              () => lease.renew("a", held, TTL),
              () => lease.acquire("b", TTL),
            ];
            for (const call of calls) {
              const { ms, outcome } = await timed(call);
              expect(rejection(outcome)).toBeInstanceOf(StoreUnavailableError);
              expect(ms).toBeLessThanOrEqual(backend.failsWithinMs);
            }
          } finally {
            await backend.leave();
          }
          await lease.release("a", held);
          expect(await lease.acquire("b", TTL)).toBeDefined();
        });
      });
    }
  });
}
