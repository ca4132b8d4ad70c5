/**
 * The InviteStore contract, run against every implementation (keyv's
 * @keyv/test-suite pattern): the memory store in unit tests, Redis in integration.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Invite } from "../../src/invites/invite.js";
import { inviteId } from "../../src/invites/pending.js";
import { recordOf } from "../../src/invites/record.js";
import { type InviteStore, QuotaRefusedError, type QuotaStore, type RelationsStore } from "../../src/invites/store.js";
import { tokenHash } from "../../src/storage/record.js";

export interface ContractSubject {
  store: InviteStore;
  /** Seconds since the epoch as the store sees it. */
  now(): number;
  /** Lets time pass for the store (a fake clock or a real wait). */
  advance(seconds: number): Promise<void>;
  /** Empties the store before each test. */
  clear(): Promise<void>;
  /** Takes one use of the invite of this token as the server does (claim.lua): counted, the last one removes it. */
  takeUse(token: string): Promise<void>;
}

let counter = 0;

/** A contact invite of alice that allows registration, with a new token; overrides on top. */
export function invite(now: number, overrides: Partial<Invite> = {}): Invite {
  counter += 1;
  const token = `contractToken${String(counter).padStart(11, "0")}`;
  return {
    type: "roster",
    jid: "alice@example.org",
    token,
    allow_registration: true,
    additional_data: { source: "alice@example.org/phone" },
    uri: `xmpp:alice@example.org?roster;preauth=${token};ibr=y`,
    created_at: now,
    expires: now + 3600,
    reusable: false,
    ...overrides,
  };
}

function account(now: number, overrides: Partial<Invite> = {}): Invite {
  return invite(now, {
    type: "register",
    jid: "example.org",
    additional_data: { source: "admin@example.org/laptop" },
    ...overrides,
  });
}

export function inviteStoreContract(name: string, subject: () => ContractSubject): void {
  describe(`${name} follows the InviteStore contract`, () => {
    beforeEach(async () => subject().clear());

    it("keeps the invite's record, field for field, under the hash of its token, without the token", async () => {
      const { store, now } = subject();
      const saved = invite(now(), { additional_data: { source: "alice@example.org/phone", note: "for the club" } });
      await store.save(saved);
      const [found, ...more] = await store.findById(inviteId(saved.token));
      expect(more).toEqual([]);
      expect(found).toEqual({ hash: tokenHash(saved.token), record: recordOf(saved), used: 0 });
      expect(JSON.stringify(found)).not.toContain(saved.token);
    });

    it("finds a pending invite by its token, and nothing for an unknown, expired or odd token", async () => {
      const { store, now, advance } = subject();
      const saved = invite(now(), { expires: now() + 1 });
      await store.save(saved);
      expect(await store.findByToken(saved.token)).toEqual({
        hash: tokenHash(saved.token),
        record: recordOf(saved),
        used: 0,
      });
      expect(await store.findByToken("tokenThatWasNeverStored1")).toBeUndefined();
      expect(await store.findByToken("<script>")).toBeUndefined();
      await advance(2);
      expect(await store.findByToken(saved.token)).toBeUndefined();
    });

    it("does not find an unknown id, nor something that is not an id", async () => {
      const { store, now } = subject();
      await store.save(invite(now()));
      expect(await store.findById(inviteId("tokenThatWasNeverStored1"))).toEqual([]);
      expect(await store.findById("*")).toEqual([]);
    });

    it("lists the host's invites soonest to expire first, with the total, a page at a time", async () => {
      const { store, now } = subject();
      const saved = [3, 1, 4, 2, 5].map((hours) => invite(now(), { expires: now() + hours * 3600 }));
      for (const each of saved) await store.save(each);
      const byExpiry = [...saved].sort((a, b) => a.expires - b.expires).map((i) => tokenHash(i.token));
      const first = await store.listPage({ offset: 0, limit: 2 });
      const second = await store.listPage({ offset: 2, limit: 2 });
      const last = await store.listPage({ offset: 4, limit: 2 });
      expect(first.total).toBe(5);
      expect([...first.invites, ...second.invites, ...last.invites].map((s) => s.hash)).toEqual(byExpiry);
      expect(last.invites).toHaveLength(1);
    });

    it("lists one inviter's invites: contact invites by their JID, account invites by their source", async () => {
      const { store, now } = subject();
      const mine = invite(now(), { allow_registration: false });
      const theirs = invite(now(), { jid: "bob@example.org", additional_data: { source: "bob@example.org/x" } });
      const adminAccount = account(now());
      const fromCommandLine = account(now(), { additional_data: {} });
      for (const each of [mine, theirs, adminAccount, fromCommandLine]) await store.save(each);
      const hashesOf = async (inviter: string) =>
        (await store.listPage({ inviter, offset: 0, limit: 25 })).invites.map((s) => s.hash);
      expect(await hashesOf("alice@example.org")).toEqual([tokenHash(mine.token)]);
      expect(await hashesOf("bob@example.org")).toEqual([tokenHash(theirs.token)]);
      expect(await hashesOf("admin@example.org")).toEqual([tokenHash(adminAccount.token)]);
      expect((await store.listPage({ offset: 0, limit: 25 })).total).toBe(4);
    });

    it("lists only the invites of one kind, or those expiring by a time, with their own total and pages", async () => {
      const { store, now } = subject();
      const contacts = [2, 5, 9].map((hours) => invite(now(), { expires: now() + hours * 3600 }));
      const accounts = [1, 3, 7, 8].map((hours) => account(now(), { expires: now() + hours * 3600 }));
      const reset = account(now(), {
        jid: "frank@example.org",
        expires: now() + 4 * 3600,
        additional_data: { source: "admin@example.org/laptop", allow_reset: "frank" },
      });
      for (const each of [...contacts, ...accounts, reset]) await store.save(each);
      const hashes = (invites: readonly Invite[]) => invites.map((each) => tokenHash(each.token));
      const first = await store.listPage({ kind: "account", offset: 0, limit: 3 });
      const second = await store.listPage({ kind: "account", offset: 3, limit: 3 });
      expect(first.total).toBe(4);
      expect([...first.invites, ...second.invites].map((s) => s.hash)).toEqual(hashes(accounts));
      expect((await store.listPage({ kind: "reset", offset: 0, limit: 25 })).invites.map((s) => s.hash)).toEqual(
        hashes([reset]),
      );
      const soon = await store.listPage({ expiresBy: now() + 3 * 3600, offset: 0, limit: 25 });
      expect(soon.total).toBe(3);
      expect(soon.invites.map((s) => s.hash)).toEqual(hashes([accounts[0], contacts[0], accounts[1]] as Invite[]));
      const both = await store.listPage({ kind: "contact", expiresBy: now() + 6 * 3600, offset: 0, limit: 25 });
      expect(both).toMatchObject({ total: 2 });
      expect(both.invites.map((s) => s.hash)).toEqual(hashes(contacts.slice(0, 2)));
      const alices = await store.listPage({ inviter: "alice@example.org", kind: "account", offset: 0, limit: 25 });
      expect(alices).toEqual({ invites: [], total: 0 });
    });

    it("removes invites from every list at once, and says how many still existed", async () => {
      const { store, now } = subject();
      const contact = invite(now());
      const bound = account(now(), { jid: "frank@example.org", additional_data: { username: "frank" } });
      await store.save(contact);
      await store.save(bound);
      const stored = (await store.listPage({ offset: 0, limit: 25 })).invites;
      expect(await store.remove(stored)).toBe(2);
      expect(await store.listPage({ offset: 0, limit: 25 })).toEqual({ invites: [], total: 0 });
      expect(await store.listPage({ inviter: "alice@example.org", offset: 0, limit: 25 })).toEqual({
        invites: [],
        total: 0,
      });
      expect(await store.findById(inviteId(contact.token))).toEqual([]);
      expect(await store.remove(stored)).toBe(0);
    });

    it("counts what it removed, whatever indexes each invite was in", async () => {
      const { store, now } = subject();
      // A reset link made by an admin is in three indexes, a contact invite in two.
      const reset = account(now(), {
        jid: "bob@example.org",
        additional_data: { source: "admin@example.org/x", allow_reset: "bob" },
      });
      const contact = invite(now());
      await store.save(reset);
      await store.save(contact);
      const [resetStored] = await store.findById(inviteId(reset.token));
      const [contactStored] = await store.findById(inviteId(contact.token));
      if (resetStored === undefined || contactStored === undefined) throw new Error("not saved");
      expect(await store.remove([contactStored, resetStored])).toBe(2);
      await store.save(reset);
      expect(await store.remove([contactStored, resetStored])).toBe(1);
      expect(await store.remove([resetStored, contactStored])).toBe(0);
    });

    it("edits an invite's expiry: the record, its place in every list, and when it goes", async () => {
      const { store, now, advance } = subject();
      const bound = account(now(), {
        jid: "frank@example.org",
        additional_data: { source: "admin@example.org/laptop", username: "frank" },
        expires: now() + 7200,
      });
      const soon = account(now(), { expires: now() + 1 });
      const contact = invite(now(), { expires: now() + 3600 });
      for (const each of [bound, soon, contact]) await store.save(each);
      const hashesOf = async (inviter?: string) =>
        (await store.listPage({ ...(inviter === undefined ? {} : { inviter }), offset: 0, limit: 25 })).invites.map(
          (s) => s.hash,
        );
      // Shortened below the contact invite: first in the host's list and in its inviter's.
      const shortened = await store.edit(tokenHash(bound.token), { expires: now() + 1800 });
      expect(shortened).toEqual({
        ok: true,
        invite: { hash: tokenHash(bound.token), record: { ...recordOf(bound), expires: now() + 1800 }, used: 0 },
      });
      expect(await hashesOf()).toEqual([soon, bound, contact].map((i) => tokenHash(i.token)));
      expect(await hashesOf("admin@example.org")).toEqual([soon, bound].map((i) => tokenHash(i.token)));
      expect((await store.findById(inviteId(bound.token)))[0]?.record.expires).toBe(now() + 1800);
      // Extended past the moment it was to go: still there after it, then gone at its new expiry.
      expect(await store.edit(tokenHash(soon.token), { expires: now() + 4 })).toMatchObject({ ok: true });
      const shortenedToGo = await store.edit(tokenHash(contact.token), { expires: now() + 1 });
      expect(shortenedToGo).toMatchObject({ ok: true });
      await advance(2);
      expect(await store.findByToken(soon.token)).toMatchObject({ record: { expires: expect.any(Number) } });
      expect(await store.findByToken(contact.token)).toBeUndefined();
      expect(await hashesOf()).toEqual([soon, bound].map((i) => tokenHash(i.token)));
      expect(await hashesOf("alice@example.org")).toEqual([]);
      await advance(3);
      expect(await store.findByToken(soon.token)).toBeUndefined();
    });

    it("edits a counted invite's uses, never to or below the uses taken; 1 makes it single use", async () => {
      const { store, now, takeUse } = subject();
      const counted = account(now(), {
        additional_data: { source: "admin@example.org/laptop", max_uses: 3 },
        reusable: true,
      });
      await store.save(counted);
      const hash = tokenHash(counted.token);
      await takeUse(counted.token);
      expect(await store.edit(hash, { maxUses: 1 })).toEqual({ ok: false, reason: "used" });
      const cut = await store.edit(hash, { maxUses: 2 });
      expect(cut).toMatchObject({ ok: true, invite: { used: 1, record: { reusable: true } } });
      expect(cut.ok && cut.invite.record.additional_data?.max_uses).toBe(2);
      expect((await store.findByToken(counted.token))?.used).toBe(1);
      expect(await store.edit(hash, { maxUses: 4, expires: now() + 600 })).toMatchObject({
        ok: true,
        invite: { used: 1, record: { expires: now() + 600, additional_data: { max_uses: 4 } } },
      });
      for (let use = 2; use <= 4; use += 1) await takeUse(counted.token);
      expect(await store.findByToken(counted.token)).toBeUndefined();
      expect(await store.edit(hash, { maxUses: 10 })).toEqual({ ok: false, reason: "gone" });

      const unused = account(now(), {
        additional_data: { source: "admin@example.org/laptop", max_uses: 5, note: "club" },
        reusable: true,
      });
      await store.save(unused);
      const single = await store.edit(tokenHash(unused.token), { maxUses: 1 });
      expect(single).toEqual({
        ok: true,
        invite: {
          hash: tokenHash(unused.token),
          record: {
            ...recordOf(unused),
            reusable: false,
            additional_data: { source: "admin@example.org/laptop", note: "club" },
          },
          used: 0,
        },
      });
      await takeUse(unused.token);
      expect(await store.findByToken(unused.token)).toBeUndefined();
    });

    it("edits nothing that is not pending: unknown, revoked or expired", async () => {
      const { store, now, advance } = subject();
      const revoked = invite(now());
      const expiring = invite(now(), { expires: now() + 1 });
      await store.save(revoked);
      await store.save(expiring);
      await store.remove(await store.findById(inviteId(revoked.token)));
      await advance(2);
      const later = { expires: now() + 3600 };
      expect(await store.edit(tokenHash("tokenThatWasNeverStored1"), later)).toEqual({ ok: false, reason: "gone" });
      expect(await store.edit(tokenHash(revoked.token), later)).toEqual({ ok: false, reason: "gone" });
      expect(await store.edit(tokenHash(expiring.token), later)).toEqual({ ok: false, reason: "gone" });
      expect((await store.listPage({ offset: 0, limit: 25 })).total).toBe(0);
    });

    it("forgets an invite once it has expired, in every list", async () => {
      const { store, now, advance } = subject();
      const soon = invite(now(), { expires: now() + 1 });
      const later = invite(now());
      await store.save(soon);
      await store.save(later);
      await advance(2);
      expect((await store.listPage({ offset: 0, limit: 25 })).invites.map((s) => s.hash)).toEqual([
        tokenHash(later.token),
      ]);
      expect((await store.listPage({ inviter: "alice@example.org", offset: 0, limit: 25 })).total).toBe(1);
      expect(await store.findById(inviteId(soon.token))).toEqual([]);
    });
  });
}

export interface QuotaSubject {
  store: QuotaStore;
  /** The invite store of the same backend: a subject's saved invites count as pending. */
  invites: InviteStore;
  /** What the server records when `account` registers through an invite at `atSeconds` (record_use.lua). */
  markJoined(account: string, atSeconds: number): Promise<void>;
  /** Unix ms as the store sees it. */
  nowMs(): number;
  advanceMs(ms: number): Promise<void>;
}

const perPeriod = (limit: number, windowMs: number) => ({ limit, windowMs, maxPending: undefined });
const pendingAtMost = (maxPending: number) => ({ limit: undefined, windowMs: 60_000, maxPending });

/** The QuotaStore contract: a rolling window and a pending cap per subject, shared by every caller. */
export function quotaStoreContract(name: string, subject: () => QuotaSubject): void {
  describe(`${name} follows the QuotaStore contract`, () => {
    it("reserves up to the limit, then says which limit and when the oldest place frees up", async () => {
      const { store, nowMs } = subject();
      const start = nowMs();
      expect(await store.reserve("q1@example.org", perPeriod(2, 60_000), "a")).toEqual({ allowed: true });
      expect(await store.reserve("q1@example.org", perPeriod(2, 60_000), "b")).toEqual({ allowed: true });
      const refused = await store.reserve("q1@example.org", perPeriod(2, 60_000), "c");
      expect(refused).toMatchObject({ allowed: false, rule: "period" });
      if (refused.allowed) return;
      expect(refused.retryAtMs).toBeGreaterThanOrEqual(start + 60_000);
      expect(refused.retryAtMs).toBeLessThanOrEqual(nowMs() + 60_000);
    });

    it("keeps subjects apart, and gives a released place back", async () => {
      const { store } = subject();
      expect(await store.reserve("q2@example.org", perPeriod(1, 60_000), "a")).toEqual({ allowed: true });
      expect(await store.reserve("q3@example.org", perPeriod(1, 60_000), "a")).toEqual({ allowed: true });
      expect((await store.reserve("q2@example.org", perPeriod(1, 60_000), "b")).allowed).toBe(false);
      await store.release("q2@example.org", "a");
      expect(await store.reserve("q2@example.org", perPeriod(1, 60_000), "b")).toEqual({ allowed: true });
    });

    it("frees a place once it has left the window", async () => {
      const { store, advanceMs } = subject();
      expect(await store.reserve("q4@example.org", perPeriod(1, 1_000), "a")).toEqual({ allowed: true });
      expect((await store.reserve("q4@example.org", perPeriod(1, 1_000), "b")).allowed).toBe(false);
      await advanceMs(1_100);
      expect(await store.reserve("q4@example.org", perPeriod(1, 1_000), "b")).toEqual({ allowed: true });
    });

    it("counts places in flight and saved invites as pending, each once, until released or expired", async () => {
      const { store, invites, nowMs, advanceMs } = subject();
      const who = "pending@example.org";
      const mine = (expires: number) =>
        invite(Math.floor(nowMs() / 1000), { jid: who, additional_data: { source: who }, expires });
      expect(await store.reserve(who, pendingAtMost(2), "a")).toEqual({ allowed: true });
      expect(await store.reserve(who, pendingAtMost(2), "b")).toEqual({ allowed: true });
      const start = nowMs();
      const refused = await store.reserve(who, { ...pendingAtMost(2), lifetimeMs: 7_200_000 }, "c");
      expect(refused).toMatchObject({ allowed: false, rule: "pending" });
      // Both places are in flight: each becomes an invite lasting the lifetime from when it was taken.
      if (!refused.allowed) {
        expect(refused.retryAtMs).toBeGreaterThanOrEqual(start - 1_000 + 7_200_000);
        expect(refused.retryAtMs).toBeLessThanOrEqual(nowMs() + 7_200_000);
      }
      // Saved with a claim: its place is checked and taken in the save's step; refused, nothing is saved.
      const soon = Math.floor(nowMs() / 1000) + 3;
      const refusedSave = mine(soon);
      await expect(invites.save(refusedSave, { subject: who, rules: pendingAtMost(2), member: "s" })).rejects.toThrow(
        QuotaRefusedError,
      );
      expect(await invites.findByToken(refusedSave.token)).toBeUndefined();
      await store.release(who, "a");
      await invites.save(mine(soon), { subject: who, rules: pendingAtMost(2), member: "s" });
      // Pending as an invite and not also as a place in flight: b and the invite make two, not three.
      expect((await store.reserve(who, pendingAtMost(2), "c")).allowed).toBe(false);
      expect(await store.reserve(who, pendingAtMost(3), "c")).toEqual({ allowed: true });
      // Released: b's place is free.
      await store.release(who, "b");
      await store.release(who, "c");
      expect(await store.reserve(who, pendingAtMost(2), "d")).toEqual({ allowed: true });
      const full = await store.reserve(who, pendingAtMost(2), "e");
      expect(full).toMatchObject({ allowed: false, rule: "pending" });
      // The soonest to free a place is the saved invite's expiry.
      if (!full.allowed) expect(full.retryAtMs).toBe(soon * 1000);
      await advanceMs(3_100);
      expect(await store.reserve(who, pendingAtMost(2), "e")).toEqual({ allowed: true });
    });

    it("refuses an account younger than the youngest allowed, until it is old enough; one without a record is", async () => {
      const { store, nowMs, markJoined, advanceMs } = subject();
      const now = Math.floor(nowMs() / 1000);
      await markJoined("young@example.org", now - 10);
      const rules = { ...pendingAtMost(5), minAccountAgeMs: 12_000 };
      const refused = await store.reserve("young@example.org", rules, "a");
      expect(refused).toEqual({ allowed: false, rule: "account-age", retryAtMs: (now + 2) * 1000 });
      // Nothing was taken meanwhile: the limits after it are untouched.
      expect(await store.reserve("young@example.org", { ...rules, minAccountAgeMs: undefined }, "b")).toEqual({
        allowed: true,
      });
      expect(await store.reserve("unrecorded@example.org", rules, "a")).toEqual({ allowed: true });
      await advanceMs(2_100);
      expect(await store.reserve("young@example.org", rules, "c")).toEqual({ allowed: true });
    });

    it("does not count a subject's invites against another's", async () => {
      const { store, invites, nowMs } = subject();
      const now = Math.floor(nowMs() / 1000);
      await invites.save(invite(now, { jid: "other@example.org", additional_data: { source: "other@example.org" } }));
      expect(await store.reserve("own@example.org", pendingAtMost(1), "a")).toEqual({ allowed: true });
    });
  });
}

export interface RelationsSubject {
  store: RelationsStore;
  /** Records a use as the server does (docs/storage.md, "Use events"). */
  recordUse(inviter: string, invitee: string): Promise<void>;
  /** Records when an account registered through an invite (`invite:{HOST}:joined`), as the server does. */
  markJoined(account: string, atSeconds: number): Promise<void>;
}

/** The RelationsStore contract: the first inviter stays, every invitee is listed, sorted. */
export function relationsStoreContract(name: string, subject: () => RelationsSubject): void {
  describe(`${name} follows the RelationsStore contract`, () => {
    it("answers who invited whom in both directions; the first inviter stays", async () => {
      const { store, recordUse } = subject();
      await recordUse("r1@example.org", "zed@example.org");
      await recordUse("r1@example.org", "amy@example.org");
      await recordUse("r2@example.org", "zed@example.org");
      expect(await store.whoInvited("zed@example.org")).toBe("r1@example.org");
      expect(await store.inviteesOf("r1@example.org")).toEqual(["amy@example.org", "zed@example.org"]);
      expect(await store.whoInvited("nobody@example.org")).toBeUndefined();
      expect(await store.inviteesOf("nobody@example.org")).toEqual([]);
    });

    it("says when accounts joined, for those with the record, in one call", async () => {
      const { store, markJoined } = subject();
      await markJoined("j1@example.org", 1_764_000_000);
      await markJoined("j2@example.org", 1_764_086_400);
      const joined = await store.joinedAt?.(["j2@example.org", "nobody@example.org", "j1@example.org"]);
      expect(joined).toEqual(
        new Map([
          ["j2@example.org", 1_764_086_400],
          ["j1@example.org", 1_764_000_000],
        ]),
      );
      expect(await store.joinedAt?.([])).toEqual(new Map());
    });
  });
}
