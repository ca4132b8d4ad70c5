/**
 * The summary's logs (src/invites/stats.ts), kept by the invite store's writes and by noteUse, run against every
 * implementation: the memory store in unit tests, Redis in integration. Counts are asked at a later `now` to see
 * invites expire, so no test waits.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import type { InviteStats } from "../../src/invites/stats.js";
import type { InviteStore } from "../../src/invites/store.js";
import { tokenHash } from "../../src/storage/record.js";
import { invite } from "./store-contract.js";

export interface StatsSubject {
  store: InviteStore;
  stats: InviteStats;
  /** Seconds since the epoch as the store sees it. */
  now(): number;
  clear(): Promise<void>;
  /** Takes one use of the invite of this token as the server does (claim.lua): counted, the last one removes it. */
  takeUse(token: string): Promise<void>;
}

const DAY = 86_400;
const reset = (now: number) =>
  invite(now, {
    type: "register",
    jid: "frank@example.org",
    additional_data: { source: "admin@example.org/laptop", allow_reset: "frank" },
  });

export function inviteStatsContract(name: string, subject: () => StatsSubject): void {
  describe(`${name} keeps the summary's logs`, () => {
    beforeEach(async () => subject().clear());
    let entry = 0;
    const use = (token: string | undefined, at: number) => {
      entry += 1;
      return {
        entryId: `${1_700_000_000_000 + entry}-0`,
        invite: token === undefined ? undefined : inviteId(token),
        at,
      };
    };
    const countsAt = async (at: number) =>
      (await subject().stats.counts(at, [7, 30])).map(({ created, used, expired }) => ({ created, used, expired }));

    it("counts the invites created in each window, but not reset links", async () => {
      const { store, now } = subject();
      for (const each of [invite(now()), invite(now()), reset(now())]) await store.save(each);
      await store.save(invite(now(), { created_at: now() - 10 * DAY }));
      expect(await subject().stats.counts(now(), [7, 30])).toEqual([
        { days: 7, created: 2, used: 0, expired: 0 },
        { days: 30, created: 3, used: 0, expired: 0 },
      ]);
    });

    it("counts each use once, however often its entry is told, in the window of its time", async () => {
      const { stats, now } = subject();
      const first = use(undefined, now() - 60);
      await stats.noteUse(first);
      await stats.noteUse(first);
      await stats.noteUse(use(undefined, now() - 9 * DAY));
      expect((await countsAt(now())).map((c) => c.used)).toEqual([1, 2]);
    });

    it("counts as expired an invite whose expiry passed, not one revoked, used up, or a reset link", async () => {
      const { store, stats, now, takeUse } = subject();
      const [lapsing, revoked, usedUp] = [invite(now()), invite(now()), invite(now())];
      const counted = invite(now(), {
        reusable: true,
        additional_data: { source: "alice@example.org/phone", max_uses: 3 },
      });
      for (const each of [lapsing, revoked, usedUp, counted, reset(now())]) await store.save(each);
      await store.remove(await store.findById(inviteId(revoked.token)));
      await takeUse(usedUp.token);
      await stats.noteUse(use(usedUp.token, now()));
      await takeUse(counted.token);
      await stats.noteUse(use(counted.token, now()));
      expect(await countsAt(now())).toEqual([
        { created: 4, used: 2, expired: 0 },
        { created: 4, used: 2, expired: 0 },
      ]);
      // Two hours on: the untouched invite and the counted one with uses left have expired.
      expect((await countsAt(now() + 7200)).map((c) => c.expired)).toEqual([2, 2]);
      // Eight days on, they expired more than 7 days before.
      expect((await countsAt(now() + 8 * DAY)).map((c) => c.expired)).toEqual([0, 2]);
    });

    it("moves the expiry of an edited invite", async () => {
      const { store, now } = subject();
      const edited = invite(now());
      await store.save(edited);
      const outcome = await store.edit(tokenHash(edited.token), { expires: now() + 3 * 3600 });
      expect(outcome.ok).toBe(true);
      expect((await countsAt(now() + 2 * 3600)).map((c) => c.expired)).toEqual([0, 0]);
      expect((await countsAt(now() + 4 * 3600)).map((c) => c.expired)).toEqual([1, 1]);
    });
  });
}
