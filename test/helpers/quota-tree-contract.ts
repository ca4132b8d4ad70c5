/**
 * The QuotaStore contract's tree rules (src/invites/quota.ts; docs/storage.md, "The quota"): a tree budget that counts
 * a whole invite tree from its topmost account not exempt (accounts, what pending invites can still register, places
 * in flight), and a chain's pace; the same outcomes from the Map store and from the Lua script on every Redis mode.
 */
import { describe, expect, it } from "vitest";
import type { InviteStore, QuotaRules, QuotaStore } from "../../src/invites/store.js";
import { invitedByKey, inviteesKey, joinedKey } from "../../src/storage/keys.js";
import type { RawRedis } from "./scenario.js";
import { invite } from "./store-contract.js";

export interface QuotaTreeSubject {
  store: QuotaStore;
  invites: InviteStore;
  /** What the server records when `invitee` registers through `inviter`'s invite at `atSeconds` (record_use.lua). */
  recordRegistration(inviter: string, invitee: string, atSeconds: number): Promise<void>;
  /** Unix ms as the store sees it. */
  nowMs(): number;
}

const ADMIN = "tree-admin@example.org";
const at = (name: string, prefix: string) => `${prefix}-${name}@example.org`;

/** Only the tree rules: no period, no pending cap. */
function treeRules(treeMax: number, uses = 1, exempt: readonly string[] = [ADMIN]): QuotaRules {
  return { limit: undefined, windowMs: 60_000, maxPending: undefined, treeMax, uses, exempt };
}

export function quotaTreeContract(name: string, subject: () => QuotaTreeSubject): void {
  describe(`${name} follows the QuotaStore contract's tree rules`, () => {
    /** ADMIN → root → a → b, registered long ago (no pace in the way); names unique to the test. */
    async function tree(prefix: string) {
      const { recordRegistration, nowMs } = subject();
      const long = Math.floor(nowMs() / 1000) - 86_400;
      const [root, a, b] = [at("root", prefix), at("a", prefix), at("b", prefix)];
      await recordRegistration(ADMIN, root, long);
      await recordRegistration(root, a, long);
      await recordRegistration(a, b, long);
      return { root, a, b };
    }

    it("counts the accounts, what pending invites can still register, and places in flight, up to the budget", async () => {
      const { store, invites, nowMs } = subject();
      const { root, a, b } = await tree("t1");
      const now = Math.floor(nowMs() / 1000);
      // a's invite for three people counts 3; b's contact-only invite registers nobody and counts 0.
      const forThree = invite(now, { jid: a, reusable: true, additional_data: { source: a, max_uses: 3 } });
      await invites.save(forThree);
      await invites.save(invite(now, { jid: b, allow_registration: false, additional_data: { source: b } }));
      // 2 accounts below root + 3 = 5: one more is over a budget of 5, and frees up when a's invite expires.
      expect(await store.reserve(b, treeRules(5), "x#1")).toEqual({
        allowed: false,
        rule: "tree",
        retryAtMs: forThree.expires * 1000,
      });
      expect(await store.reserve(b, treeRules(6), "x#1")).toEqual({ allowed: true });
      await store.release(b, "x#1");
      // Revoked, it counts no more; two places in flight for 2 and 1 count 3 with the 2 accounts.
      const stored = await invites.findByToken(forThree.token);
      expect(await invites.remove(stored === undefined ? [] : [stored])).toBe(1);
      expect(await store.reserve(b, treeRules(5, 2), "y#2")).toEqual({ allowed: true });
      expect(await store.reserve(root, treeRules(5), "z#1")).toEqual({ allowed: true });
      // Full of accounts and places in flight: the soonest place frees up when its invite, lasting the lifetime
      // from when the place was taken, expires.
      const start = nowMs();
      const inFlight = await store.reserve(a, { ...treeRules(5), lifetimeMs: 7_200_000 }, "w#1");
      expect(inFlight).toMatchObject({ allowed: false, rule: "tree" });
      if (!inFlight.allowed) {
        expect(inFlight.retryAtMs).toBeGreaterThanOrEqual(start - 1_000 + 7_200_000);
        expect(inFlight.retryAtMs).toBeLessThanOrEqual(nowMs() + 7_200_000);
      }
      await store.release(b, "y#2");
      expect(await store.reserve(a, treeRules(5), "w#1")).toEqual({ allowed: true });
    });

    it("refuses a tree full of accounts with no time to wait, and an invite that registers nobody never", async () => {
      const { store } = subject();
      const { b } = await tree("t2");
      expect(await store.reserve(b, treeRules(2), "a#1")).toEqual({ allowed: false, rule: "tree", retryAtMs: 0 });
      expect(await store.reserve(b, treeRules(2, 0), "a#0")).toEqual({ allowed: true });
    });

    it("stops going up at an exempt account: an admin's invitee is the top of its own tree", async () => {
      const { store, recordRegistration, nowMs } = subject();
      const { b } = await tree("t3");
      await recordRegistration(ADMIN, at("other", "t3"), Math.floor(nowMs() / 1000) - 86_400);
      await recordRegistration(ADMIN, at("more", "t3"), Math.floor(nowMs() / 1000) - 86_400);
      expect(await store.reserve(b, treeRules(3), "a#1")).toEqual({ allowed: true });
      // Not exempt, the admin is the top, and its other invitees count too: at least 5 accounts, and the new 1.
      const unexempt = await store.reserve(b, treeRules(5, 1, []), "b#1");
      expect(unexempt).toMatchObject({ allowed: false, rule: "tree" });
    });

    it("holds an account back until its inviter has been registered for the chain's pace", async () => {
      const { store, recordRegistration, nowMs } = subject();
      const now = Math.floor(nowMs() / 1000);
      const [old, fresh, newest] = [at("old", "p1"), at("fresh", "p1"), at("newest", "p1")];
      await recordRegistration(ADMIN, fresh, now - 10);
      await recordRegistration(fresh, newest, now - 5);
      const pace = { ...treeRules(100), chainPaceMs: 12_000 };
      expect(await store.reserve(newest, pace, "a#1")).toEqual({
        allowed: false,
        rule: "pace",
        retryAtMs: (now + 2) * 1000,
      });
      // An admin's invitee, and an account whose inviter has no record, wait for no one.
      expect(await store.reserve(fresh, pace, "b#1")).toEqual({ allowed: true });
      expect(await store.reserve(old, pace, "c#1")).toEqual({ allowed: true });
    });
  });
}

/** What record_use.lua writes for a registration (docs/storage.md, "Use events"), with a plain client. */
export async function recordRegistration(
  raw: RawRedis,
  host: string,
  inviter: string,
  invitee: string,
  atSeconds: number,
): Promise<void> {
  await raw.set(invitedByKey(host, invitee), inviter, { NX: true });
  await raw.sAdd(inviteesKey(host, inviter), invitee);
  await raw.zAdd(joinedKey(host), { score: atSeconds, value: invitee });
}
