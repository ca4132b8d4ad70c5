/** The invite a link opens: whether it can still be used is decided once, here, for every page. */
import { describe, expect, it } from "vitest";
import { guardedCounter } from "../../../src/invites/guarded.js";
import type { Invite } from "../../../src/invites/invite.js";
import { InviteLinks, isUsable } from "../../../src/invites/invite-links.js";
import { recordOf } from "../../../src/invites/record.js";
import { type HitCounter, type StoredInvite, StoreUnavailableError } from "../../../src/invites/store.js";
import { tokenHash } from "../../../src/invites/token.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";

const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);
const NOW = NOW_MS / 1000;
const TOKEN = "AAAAAAAAAAAAAAAAAAAAAAAA";

function invite(overrides: Partial<Invite> = {}): Invite {
  return {
    type: "register",
    jid: "example.org",
    token: TOKEN,
    allow_registration: true,
    additional_data: { source: "admin@example.org/x" },
    uri: `xmpp:example.org?register;preauth=${TOKEN}`,
    created_at: NOW,
    expires: NOW + 3600,
    reusable: false,
    ...overrides,
  };
}

function stored(overrides: Partial<Invite> = {}, used = 0): StoredInvite {
  return { hash: tokenHash(TOKEN), record: recordOf(invite(overrides)), used };
}

describe("isUsable", () => {
  it("is true for a pending invite until it expires", () => {
    expect(isUsable(stored(), NOW)).toBe(true);
    expect(isUsable(stored(), NOW + 3599)).toBe(true);
    expect(isUsable(stored(), NOW + 3600)).toBe(false);
  });

  it("is false for a counted invite at its cap", () => {
    const counted = { reusable: true, additional_data: { source: "admin@example.org/x", max_uses: 3 } };
    expect(isUsable(stored(counted, 2), NOW)).toBe(true);
    expect(isUsable(stored(counted, 3), NOW)).toBe(false);
  });
});

describe("InviteLinks.pendingInviteFor", () => {
  it("gives the usable invite of a token, with the token", async () => {
    const store = new MemoryInviteStore(() => NOW_MS);
    await store.save(invite());
    const found = await new InviteLinks(store, () => NOW_MS).pendingInviteFor(TOKEN);
    expect(found).toEqual({ ...stored(), token: TOKEN });
  });

  it("refuses unknown, expired, used-up and made-up tokens alike, made-up ones without asking the store", async () => {
    let lookups = 0;
    let now = NOW_MS;
    const store = new MemoryInviteStore(() => NOW_MS);
    const find = store.findByToken.bind(store);
    store.findByToken = (token) => {
      lookups += 1;
      return find(token);
    };
    await store.save(invite());
    // The store's clock stands still: only the domain's says the invite has expired.
    const links = new InviteLinks(store, () => now);
    const refused = { name: "InviteError", code: "invite-not-usable" };
    await expect(links.pendingInviteFor("BBBBBBBBBBBBBBBBBBBBBBBB")).rejects.toMatchObject(refused);
    await expect(links.pendingInviteFor("<script>")).rejects.toMatchObject(refused);
    expect(lookups).toBe(1);
    await expect(links.pendingInviteFor(TOKEN)).resolves.toMatchObject({ token: TOKEN, used: 0 });
    now = NOW_MS + 3600_000;
    await expect(links.pendingInviteFor(TOKEN)).rejects.toMatchObject(refused);
    const counted = { reusable: true, additional_data: { source: "admin@example.org/x", max_uses: 2 } };
    const usedUp = new InviteLinks({ findByToken: async () => stored(counted, 2) }, () => NOW_MS);
    await expect(usedUp.pendingInviteFor(TOKEN)).rejects.toMatchObject(refused);
  });

  it("says store-unavailable, with the cause, when the store cannot be asked", async () => {
    const down = new StoreUnavailableError("Redis is not connected");
    const links = new InviteLinks({
      findByToken: async () => {
        throw down;
      },
    });
    await expect(links.pendingInviteFor(TOKEN)).rejects.toMatchObject({ code: "store-unavailable", cause: down });
  });
});

describe("guardedCounter", () => {
  it("counts as the store does, and fails with store-unavailable when it cannot", async () => {
    const counter: HitCounter = { hit: async () => ({ count: 2, resetInMs: 10 }) };
    expect(await guardedCounter(counter).hit("k", 1000)).toEqual({ count: 2, resetInMs: 10 });
    const down = new StoreUnavailableError("Redis did not answer");
    const failing = guardedCounter({
      hit: async () => {
        throw down;
      },
    });
    await expect(failing.hit("k", 1000)).rejects.toMatchObject({ code: "store-unavailable", cause: down });
  });
});
