/** An account's invite tree (src/invites/tree.ts): its shape, its bounds, who may see it, and revoking it whole. */
import { describe, expect, it } from "vitest";
import { InviteError } from "../../../src/errors.js";
import { Events } from "../../../src/events.js";
import type { InviteEvents } from "../../../src/invites/invite-events.js";
import { actorFor, type Policy } from "../../../src/invites/permissions.js";
import { InviteService } from "../../../src/invites/service.js";
import { TREE_MAX_ACCOUNTS } from "../../../src/invites/tree.js";
import { NEWEST_ACCOUNTS } from "../../../src/invites/tree-details.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";

const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);

function setup() {
  const policy: Policy = {
    domain: "example.org",
    admins: new Set(["admin@example.org"]),
    allowUserInvites: true,
    allowContactInvites: true,
  };
  const store = new MemoryInviteStore(() => NOW_MS);
  const events = new Events<InviteEvents>(() => {});
  const service = new InviteService({
    store,
    policy,
    ttlSeconds: 604_800,
    invitePage: undefined,
    clock: () => NOW_MS,
    events,
  });
  return { service, store, events, actor: (jid: string) => actorFor(jid, policy) };
}

const at = (name: string) => `${name}@example.org`;

/** alice → bob, carol; bob → dan → erin; carol → dan too (dan is listed once, under bob: found first, in JID order). */
function family(store: MemoryInviteStore): void {
  store.recordUse(at("alice"), at("carol"));
  store.recordUse(at("alice"), at("bob"));
  store.recordUse(at("bob"), at("dan"));
  store.recordUse(at("carol"), at("dan"));
  store.recordUse(at("dan"), at("erin"));
}

describe("inviteTree", () => {
  it("lists everyone below an account, each followed by its own tree, once even when two invited it", async () => {
    const { service, store, actor } = setup();
    family(store);
    const tree = await service.inviteTree(actor(at("admin")), at("alice"));
    expect(tree).toEqual({
      root: at("alice"),
      truncated: false,
      nodes: [
        { jid: at("bob"), invitedBy: at("alice"), depth: 1, pending: 0 },
        { jid: at("dan"), invitedBy: at("bob"), depth: 2, pending: 0 },
        { jid: at("erin"), invitedBy: at("dan"), depth: 3, pending: 0 },
        { jid: at("carol"), invitedBy: at("alice"), depth: 1, pending: 0 },
      ],
      rootPending: 0,
      pending: 0,
      deepest: 3,
      newest: [],
    });
    expect((await service.inviteTree(actor(at("admin")), at("nobody"))).nodes).toEqual([]);
  });

  it("ends in a cycle (relations written by hand, or a name reused after its account was deleted)", async () => {
    const { service, store, actor } = setup();
    store.recordUse(at("alice"), at("bob"));
    store.recordUse(at("bob"), at("alice"));
    store.recordUse(at("bob"), at("bob"));
    const tree = await service.inviteTree(actor(at("alice")), at("alice"));
    expect(tree.nodes).toEqual([{ jid: at("bob"), invitedBy: at("alice"), depth: 1, pending: 0 }]);
  });

  it("stops at TREE_MAX_ACCOUNTS, keeping the accounts nearest the root", async () => {
    const { service, store, actor } = setup();
    for (let i = 0; i < TREE_MAX_ACCOUNTS + 5; i += 1) store.recordUse(at("alice"), at(`u${i}`));
    store.recordUse(at("u0"), at("deep"));
    const tree = await service.inviteTree(actor(at("admin")), at("alice"));
    expect(tree.truncated).toBe(true);
    expect(tree.nodes).toHaveLength(TREE_MAX_ACCOUNTS);
    expect(tree.nodes.every((node) => node.depth === 1)).toBe(true);
  });

  it("reads a chain deeper than any stack", async () => {
    const { service, store, actor } = setup();
    for (let i = 0; i < 3_000; i += 1) store.recordUse(at(`c${i}`), at(`c${i + 1}`));
    const tree = await service.inviteTree(actor(at("admin")), at("c0"));
    expect(tree.nodes).toHaveLength(3_000);
    expect(tree.nodes.at(-1)).toEqual({ jid: at("c3000"), invitedBy: at("c2999"), depth: 3_000, pending: 0 });
    expect(tree.deepest).toBe(3_000);
  });

  it("counts the pending invites of the root and of each account, and names the newest accounts", async () => {
    const { service, store, actor } = setup();
    const day = 86_400;
    const now = NOW_MS / 1000;
    store.recordUse(at("alice"), at("bob"), now - 3 * day);
    store.recordUse(at("bob"), at("dan"), now - day);
    store.recordUse(at("alice"), at("carol"));
    store.recordUse(at("dan"), at("erin"), now - 2 * day);
    for (const name of ["alice", "alice", "bob", "erin", "erin", "erin", "frank"]) {
      await service.createContactInvite(actor(at(name)), `${at(name)}/phone`);
    }
    const tree = await service.inviteTree(actor(at("admin")), at("alice"));
    expect(tree.nodes.map(({ jid, pending, joined }) => ({ jid, pending, joined }))).toEqual([
      { jid: at("bob"), pending: 1, joined: now - 3 * day },
      { jid: at("dan"), pending: 0, joined: now - day },
      { jid: at("erin"), pending: 3, joined: now - 2 * day },
      // Made before `joined` was kept, or not through an invite: no date.
      { jid: at("carol"), pending: 0, joined: undefined },
    ]);
    expect(tree).toMatchObject({ rootPending: 2, pending: 6, deepest: 3 });
    expect(tree.newest.map((node) => node.jid)).toEqual([at("dan"), at("erin"), at("bob")]);
    const empty = await service.inviteTree(actor(at("frank")), at("frank"));
    expect(empty).toMatchObject({ nodes: [], rootPending: 1, pending: 1, deepest: 0, newest: [] });
  });

  it("caps the newest accounts at NEWEST_ACCOUNTS, newest first", async () => {
    const { service, store, actor } = setup();
    for (let i = 0; i < NEWEST_ACCOUNTS + 3; i += 1) store.recordUse(at("alice"), at(`n${10 + i}`), 1_000 + i);
    const { newest } = await service.inviteTree(actor(at("alice")), at("alice"));
    expect(newest.map((node) => node.joined)).toEqual(
      Array.from({ length: NEWEST_ACCOUNTS }, (_, i) => 1_000 + NEWEST_ACCOUNTS + 2 - i),
    );
  });

  it("shows users their own tree only", async () => {
    const { service, store, actor } = setup();
    family(store);
    expect((await service.inviteTree(actor(at("bob")), at("bob"))).nodes.map((n) => n.jid)).toEqual([
      at("dan"),
      at("erin"),
    ]);
    await expect(service.inviteTree(actor(at("bob")), at("alice"))).rejects.toEqual(
      new InviteError("invite-tree-admins-only"),
    );
  });
});

describe("revokeTree", () => {
  it("revokes every pending invite of the account and of its tree, and nobody else's", async () => {
    const { service, store, events, actor } = setup();
    family(store);
    for (const name of ["alice", "bob", "dan", "erin", "frank"]) {
      await service.createContactInvite(actor(at(name)), `${at(name)}/phone`);
    }
    await service.createContactInvite(actor(at("erin")), `${at("erin")}/phone`);
    const revoked: InviteEvents["invites-revoked"][] = [];
    events.on("invites-revoked", (detail) => revoked.push(detail));
    expect(await service.revokeTree(actor(at("admin")), at("bob"))).toEqual({
      revoked: 4,
      accounts: 3,
      truncated: false,
    });
    expect(revoked).toEqual([{ count: 4, by: at("admin") }]);
    const left = (await store.listPage({ offset: 0, limit: 25 })).invites.map((s) => s.record.jid).sort();
    expect(left).toEqual([at("alice"), at("frank")]);
  });

  it("is for admins only, even over one's own tree", async () => {
    const { service, store, actor } = setup();
    family(store);
    await expect(service.revokeTree(actor(at("alice")), at("alice"))).rejects.toEqual(
      new InviteError("revoke-all-admins-only"),
    );
  });
});
