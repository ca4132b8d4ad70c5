/**
 * The InviteStore contract, run against every implementation (keyv's
 * @keyv/test-suite pattern): the memory store in unit tests, Redis in integration.
 */
import { describe, expect, it } from "vitest";
import type { Invite } from "../../src/invites/invite.js";
import type { InviteStore } from "../../src/invites/store.js";

export interface ContractSubject {
  store: InviteStore;
  /** Seconds since the epoch as the store sees it. */
  now(): number;
  /** Lets time pass for the store (a fake clock or a real wait). */
  advance(seconds: number): Promise<void>;
}

function invite(overrides: Partial<Invite>, now: number): Invite {
  return {
    type: "roster",
    jid: "alice@example.org",
    token: "AAAAAAAAAAAAAAAAAAAAAAAA",
    allow_registration: true,
    additional_data: { source: "alice@example.org/phone" },
    uri: "xmpp:alice@example.org?roster;preauth=AAAAAAAAAAAAAAAAAAAAAAAA;ibr=y",
    created_at: now,
    expires: now + 3600,
    reusable: false,
    ...overrides,
  };
}

export function inviteStoreContract(name: string, subject: () => ContractSubject): void {
  describe(`${name} follows the InviteStore contract`, () => {
    it("keeps a registration invite under its token, field for field", async () => {
      const { store, now } = subject();
      const stored = invite({ token: "tokenForRegistration0001" }, now());
      await store.save(stored);
      expect(await store.findByToken("tokenForRegistration0001")).toEqual(stored);
    });

    it("keeps the inviter-level expiry of a contact invite", async () => {
      const { store, now } = subject();
      const stored = invite({ token: "tokenForContactOnly00001", allow_registration: false }, now());
      await store.save(stored);
      expect(await store.findContactExpiry("alice", "tokenForContactOnly00001")).toBe(stored.expires);
    });

    it("writes no host-level entry for a contact invite that does not allow registration", async () => {
      const { store, now } = subject();
      await store.save(invite({ token: "tokenContactNoRegister01", allow_registration: false }, now()));
      expect(await store.findByToken("tokenContactNoRegister01")).toBeUndefined();
    });

    it("writes both entries for a contact invite that allows registration", async () => {
      const { store, now } = subject();
      const stored = invite({ token: "tokenContactAndRegister1" }, now());
      await store.save(stored);
      expect(await store.findByToken("tokenContactAndRegister1")).toEqual(stored);
      expect(await store.findContactExpiry("alice", "tokenContactAndRegister1")).toBe(stored.expires);
    });

    it("writes no inviter-level entry for an account invite", async () => {
      const { store, now } = subject();
      const stored = invite(
        { type: "register", jid: "example.org", token: "tokenAccountInvite000001", uri: "xmpp:example.org?register" },
        now(),
      );
      await store.save(stored);
      expect(await store.findByToken("tokenAccountInvite000001")).toEqual(stored);
      expect(await store.findContactExpiry("example.org", "tokenAccountInvite000001")).toBeUndefined();
    });

    it("does not find an unknown token", async () => {
      const { store } = subject();
      expect(await store.findByToken("tokenThatWasNeverStored1")).toBeUndefined();
      expect(await store.findContactExpiry("alice", "tokenThatWasNeverStored1")).toBeUndefined();
    });

    it("lists every live invite with its host and inviter entries, and removes them all at once", async () => {
      const { store, now } = subject();
      const both = invite({ token: "tokenListedWithBothKeys1" }, now());
      const contactOnly = invite({ token: "tokenListedContactOnly01", allow_registration: false }, now());
      await store.save(both);
      await store.save(contactOnly);
      const listed = (await store.listAll()).filter((s) => s.token.startsWith("tokenListed"));
      expect(listed.sort((a, b) => a.token.localeCompare(b.token))).toEqual([
        { token: "tokenListedContactOnly01", inviters: [{ local: "alice", expires: contactOnly.expires }] },
        { token: "tokenListedWithBothKeys1", invite: both, inviters: [{ local: "alice", expires: both.expires }] },
      ]);
      expect(await store.remove(listed)).toBe(2);
      expect(await store.findByToken("tokenListedWithBothKeys1")).toBeUndefined();
      expect(await store.findContactExpiry("alice", "tokenListedContactOnly01")).toBeUndefined();
      expect(await store.remove(listed)).toBe(0);
    });

    it("forgets an invite once it has expired", async () => {
      const { store, now, advance } = subject();
      const stored = invite({ token: "tokenThatExpiresQuickly1", expires: now() + 1 }, now());
      await store.save(stored);
      await advance(2);
      expect(await store.findByToken("tokenThatExpiresQuickly1")).toBeUndefined();
      expect(await store.findContactExpiry("alice", "tokenThatExpiresQuickly1")).toBeUndefined();
    });
  });
}
