/** The storage backend's shape (src/storage/backend.ts): the memory backend, and the ports as the service's one store. */
import { describe, expect, it } from "vitest";
import type { Invite } from "../../../src/invites/invite.js";
import type { InviteStore, QuotaStore, RelationsStore } from "../../../src/invites/store.js";
import { serviceStore } from "../../../src/storage/backend.js";
import { MemoryCircles } from "../../../src/storage/memory-circles.js";
import { MemoryInviteStore, memoryBackend } from "../../../src/storage/memory-store.js";

const NOW_MS = Date.UTC(2026, 10, 27);

function invite(token: string): Invite {
  const now = Math.floor(NOW_MS / 1000);
  return {
    type: "roster",
    jid: "alice@example.org",
    token,
    allow_registration: false,
    additional_data: { source: "alice@example.org/phone" },
    uri: `xmpp:alice@example.org?roster;preauth=${token}`,
    created_at: now,
    expires: now + 3600,
    reusable: false,
  };
}

describe("the memory backend", () => {
  it("serves the invites, the quota and the relations from one store, with its hit counter", async () => {
    const store = new MemoryInviteStore(() => NOW_MS);
    const backend = memoryBackend(store);
    expect([backend.invites, backend.quota, backend.relations]).toEqual([store, store, store]);
    await backend.invites.save(invite("MemoryBackendToken_00001"));
    expect(await store.findByToken("MemoryBackendToken_00001")).toBeDefined();
    expect(await backend.hits.hit("k", 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    expect(await backend.hits.hit("k", 60_000)).toEqual({ count: 2, resetInMs: 60_000 });
  });

  it("keeps the circles in a store of their own, the one given if any", () => {
    const circles = new MemoryCircles();
    expect(memoryBackend(undefined, circles).circles).toBe(circles);
    expect(memoryBackend().circles).toBeInstanceOf(MemoryCircles);
  });

  it("has no claims and no event stream, and nothing to connect", async () => {
    const backend = memoryBackend();
    expect(backend.claims).toBeUndefined();
    expect(backend.events).toBeUndefined();
    backend.start();
    await expect(backend.stop()).resolves.toBeUndefined();
  });
});

describe("serviceStore", () => {
  it("hands each call to the port it belongs to", async () => {
    const calls: string[] = [];
    const invites = new MemoryInviteStore(() => NOW_MS);
    const quota: QuotaStore = {
      reserve: async (subject) => {
        calls.push(`reserve ${subject}`);
        return { allowed: true };
      },
      release: async (subject) => {
        calls.push(`release ${subject}`);
      },
    };
    const relations: RelationsStore = {
      whoInvited: async (invitee) => `inviter-of-${invitee}`,
      inviteesOf: async (inviter) => [`invitee-of-${inviter}`],
    };
    const store: InviteStore & QuotaStore & RelationsStore = serviceStore({ invites, quota, relations });
    await store.save(invite("ServiceStoreToken_000001"));
    expect(await invites.findByToken("ServiceStoreToken_000001")).toBeDefined();
    expect((await store.listPage({ offset: 0, limit: 10 })).total).toBe(1);
    const [saved] = await invites.listPage({ offset: 0, limit: 1 }).then((page) => page.invites);
    const edited = await store.edit(saved?.hash ?? "", { expires: Math.floor(NOW_MS / 1000) + 60 });
    expect(edited).toMatchObject({ ok: true, invite: { record: { expires: Math.floor(NOW_MS / 1000) + 60 } } });
    expect(await store.reserve("bob", { limit: 1, windowMs: 1000, maxPending: undefined }, "m")).toEqual({
      allowed: true,
    });
    await store.release("bob", "m");
    expect(calls).toEqual(["reserve bob", "release bob"]);
    expect(await store.whoInvited("carol")).toBe("inviter-of-carol");
    expect(await store.inviteesOf("dave")).toEqual(["invitee-of-dave"]);
  });
});
