/**
 * The HitCounter contract (src/invites/store.ts: the web pages' rate-limit counters), run against every
 * implementation: the memory store in unit tests, Redis in integration, with a "backend away" group where there is
 * a backend.
 */
import { describe, expect, it } from "vitest";
import { type HitCounter, StoreUnavailableError } from "../../src/invites/store.js";
import { type BackendAway, rejection, timed } from "./backend-away.js";

export interface HitCounterSubject {
  counter: HitCounter;
  /** The same counters as another bot instance sees them, where there can be one. */
  sibling?: HitCounter;
  /** Lets time pass for the counter (a fake clock or a real wait). */
  advanceMs(ms: number): Promise<void>;
}

let keys = 0;
/** A key no other test (nor an earlier run on the same backend) has counted. */
const newKey = () => `contract:${process.pid}:${Date.now()}:${++keys}`;

export interface ContractOptions {
  /** The ways the backend can be away; none for an in-process implementation. */
  readonly away?: readonly BackendAway[];
  /** Every bot instance on the backend shares the counts (the subject then has a `sibling`). */
  readonly shared?: boolean;
}

export function hitCounterContract(
  name: string,
  subject: () => HitCounterSubject,
  { away = [], shared = false }: ContractOptions = {},
): void {
  describe(`${name} follows the HitCounter contract`, () => {
    it("counts the hits on a key in a window that starts at its first hit, and says how long it has left", async () => {
      const { counter, advanceMs } = subject();
      const key = newKey();
      expect(await counter.hit(key, 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
      await advanceMs(200);
      const second = await counter.hit(key, 60_000);
      expect(second.count).toBe(2);
      // About 200 ms less: a Node timer can fire a millisecond early by Redis's clock (libuv starts it from the
      // loop's cached time), so not exactly 59,800 or less.
      expect(second.resetInMs).toBeLessThanOrEqual(59_850);
      expect(second.resetInMs).toBeGreaterThan(58_000);
    });

    it("keeps keys apart", async () => {
      const { counter } = subject();
      const [one, other] = [newKey(), newKey()];
      await counter.hit(one, 60_000);
      await counter.hit(one, 60_000);
      expect((await counter.hit(other, 60_000)).count).toBe(1);
      expect((await counter.hit(one, 60_000)).count).toBe(3);
    });

    it("does not move a window with later hits, and starts a new one once it is over", async () => {
      const { counter, advanceMs } = subject();
      const key = newKey();
      await counter.hit(key, 600);
      await advanceMs(300);
      const inside = await counter.hit(key, 600);
      expect(inside.count).toBe(2);
      // The window did not move: about 300 ms are left (a timer may end a millisecond early by Redis's clock).
      expect(inside.resetInMs).toBeLessThanOrEqual(310);
      await advanceMs(400);
      expect(await counter.hit(key, 600)).toEqual({ count: 1, resetInMs: 600 });
    });

    it("counts each of many hits at once exactly once", async () => {
      const { counter } = subject();
      const key = newKey();
      const counts = await Promise.all(Array.from({ length: 40 }, () => counter.hit(key, 60_000)));
      expect(counts.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    if (shared) {
      it("shares the counts with every instance on the same backend", async () => {
        const { counter, sibling } = subject();
        if (sibling === undefined) throw new Error("a shared counter's subject needs a sibling");
        const key = newKey();
        await counter.hit(key, 60_000);
        expect((await sibling.hit(key, 60_000)).count).toBe(2);
        expect((await counter.hit(key, 60_000)).count).toBe(3);
      });
    }

    for (const backend of away) {
      describe(`backend away: ${backend.name}`, () => {
        it("rejects with StoreUnavailableError in time, and counts on where it was once the backend is back", async () => {
          const { counter } = subject();
          const key = newKey();
          await counter.hit(key, 60_000);
          await backend.enter();
          try {
            const { ms, outcome } = await timed(() => counter.hit(key, 60_000));
            expect(rejection(outcome)).toBeInstanceOf(StoreUnavailableError);
            expect(ms).toBeLessThanOrEqual(backend.failsWithinMs);
          } finally {
            await backend.leave();
          }
          // A hit sent to a hung backend may still be counted when it answers: never fewer than before.
          expect((await counter.hit(key, 60_000)).count).toBeGreaterThanOrEqual(2);
        });
      });
    }
  });
}
