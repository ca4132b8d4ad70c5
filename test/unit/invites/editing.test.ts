/** Editing a pending invite (src/invites/editing.ts): who may, within which limits, and what the store is asked. */
import { describe, expect, it } from "vitest";
import { describeError, type InviteError } from "../../../src/errors.js";
import { Events } from "../../../src/events.js";
import { longestLifetime } from "../../../src/invites/editing.js";
import type { InviteEvents } from "../../../src/invites/invite-events.js";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor, type Policy } from "../../../src/invites/permissions.js";
import { InviteService } from "../../../src/invites/service.js";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { tokenHash } from "../../../src/storage/record.js";

const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);
const NOW = NOW_MS / 1000;
const WEEK = 604_800;
const HOUR = 3_600;

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
    ttlSeconds: WEEK,
    invitePage: undefined,
    clock: () => NOW_MS,
    events,
  });
  const actor = (jid: string) => actorFor(jid, policy);
  const admin = actor("admin@example.org");
  const alice = actor("alice@example.org");
  return { service, store, events, admin, alice, actor };
}

async function contactOf(world: ReturnType<typeof setup>, who = world.alice) {
  return (await world.service.createContactInvite(who, `${who.jid}/phone`)).invite;
}

async function countedInvite(world: ReturnType<typeof setup>, maxUses = 3) {
  return (await world.service.createAccountInvite(world.admin, "admin@example.org/pc", { maxUses })).invite;
}

function refusal(code: ConstructorParameters<typeof InviteError>[0], reason?: string) {
  return expect.objectContaining({ code, params: reason === undefined ? {} : { reason } });
}

describe("editing an invite's expiry", () => {
  it("lets a user shorten their own invite, and extend it up to the default lifetime from now", async () => {
    const w = setup();
    const token = (await contactOf(w)).token;
    const edited = await w.service.editInvite(w.alice, inviteId(token), { expiresAt: NOW + HOUR });
    expect(edited).toMatchObject({ id: inviteId(token), kind: "contact", expires: NOW + HOUR });
    expect((await w.store.findByToken(token))?.record.expires).toBe(NOW + HOUR);
    await w.service.editInvite(w.alice, inviteId(token), { expiresAt: NOW + WEEK });
    await expect(w.service.editInvite(w.alice, inviteId(token), { expiresAt: NOW + WEEK + 1 })).rejects.toEqual(
      refusal("invite-expiry-not-allowed", "in the future, at most 1 week from now"),
    );
  });

  it("refuses a moment that is not in the future, or not a whole second", async () => {
    const w = setup();
    const id = inviteId((await contactOf(w)).token);
    for (const expiresAt of [NOW, NOW - 60, NOW + 0.5, Number.NaN]) {
      await expect(w.service.editInvite(w.alice, id, { expiresAt })).rejects.toEqual(
        refusal("invite-expiry-not-allowed", "in the future, at most 1 week from now"),
      );
    }
  });

  it("gives admins the longest lifetime they may create, and reset links their one day", async () => {
    const w = setup();
    expect(longestLifetime({ ttlSeconds: WEEK }, w.admin, "account")).toBe(4 * WEEK);
    expect(longestLifetime({ ttlSeconds: 8 * WEEK }, w.admin, "contact")).toBe(8 * WEEK);
    expect(longestLifetime({ ttlSeconds: WEEK }, w.alice, "contact")).toBe(WEEK);
    expect(longestLifetime({ ttlSeconds: WEEK, userMaxTtlSeconds: 86_400 }, w.alice, "contact")).toBe(86_400);
    expect(longestLifetime({ ttlSeconds: WEEK, userMaxTtlSeconds: 86_400 }, w.admin, "contact")).toBe(4 * WEEK);
    expect(longestLifetime({ ttlSeconds: WEEK }, w.admin, "reset")).toBe(86_400);
    const alices = inviteId((await contactOf(w)).token);
    expect(await w.service.editInvite(w.admin, alices, { expiresAt: NOW + 4 * WEEK })).toMatchObject({
      expires: NOW + 4 * WEEK,
    });
    const reset = await w.service.createPasswordResetInvite(w.admin, "admin@example.org/pc", "bob@example.org");
    await expect(
      w.service.editInvite(w.admin, inviteId(reset.invite.token), { expiresAt: NOW + 2 * 86_400 }),
    ).rejects.toEqual(refusal("invite-expiry-not-allowed", "in the future, at most 1 day from now"));
  });
});

describe("editing an invite's uses", () => {
  it("changes a counted invite's cap, from one above the uses taken to 100", async () => {
    const w = setup();
    const { token } = await countedInvite(w, 3);
    w.store.takeUse(tokenHash(token));
    w.store.takeUse(tokenHash(token));
    const id = inviteId(token);
    expect(await w.service.editInvite(w.admin, id, { maxUses: 10 })).toMatchObject({ maxUses: 10, usesLeft: 8 });
    for (const maxUses of [2, 1, 0, 101, 2.5]) {
      await expect(w.service.editInvite(w.admin, id, { maxUses })).rejects.toEqual(
        refusal("invite-uses-not-allowed", "from 3 to 100: it has been used 2 times"),
      );
    }
    expect(await w.service.editInvite(w.admin, id, { maxUses: 3, expiresAt: NOW + HOUR })).toMatchObject({
      maxUses: 3,
      usesLeft: 1,
      expires: NOW + HOUR,
    });
  });

  it("makes an unused counted invite single use with 1", async () => {
    const w = setup();
    const { token } = await countedInvite(w, 5);
    const edited = await w.service.editInvite(w.admin, inviteId(token), { maxUses: 1 });
    expect(edited.maxUses).toBeUndefined();
    expect(edited.stored.record.reusable).toBe(false);
  });

  it("refuses uses on an invite that is not counted", async () => {
    const w = setup();
    const { token } = await contactOf(w);
    await expect(w.service.editInvite(w.alice, inviteId(token), { maxUses: 3 })).rejects.toEqual(
      refusal("invite-uses-not-counted"),
    );
  });

  it("refuses when the invite was used up to the new cap between the read and the write", async () => {
    const w = setup();
    const { token } = await countedInvite(w, 4);
    const store = w.store;
    const edit = store.edit.bind(store);
    // Two uses taken by the server after the domain read the invite: the store's own check decides.
    store.edit = async (hash, change) => {
      store.takeUse(hash);
      store.takeUse(hash);
      return edit(hash, change);
    };
    await expect(w.service.editInvite(w.admin, inviteId(token), { maxUses: 2 })).rejects.toEqual(
      refusal("invite-uses-not-allowed", "above the uses already taken: it was used meanwhile"),
    );
  });
});

describe("who may edit what", () => {
  it("lets users edit only their own invites, admins anyone's, and only pending ones", async () => {
    const w = setup();
    const bobs = inviteId((await contactOf(w, w.actor("bob@example.org"))).token);
    await expect(w.service.editInvite(w.alice, bobs, { expiresAt: NOW + HOUR })).rejects.toEqual(
      refusal("invite-not-found"),
    );
    expect(await w.service.editInvite(w.admin, bobs, { expiresAt: NOW + HOUR })).toMatchObject({ id: bobs });
    await w.service.revokeInvite(w.admin, bobs);
    await expect(w.service.editInvite(w.admin, bobs, { expiresAt: NOW + HOUR })).rejects.toEqual(
      refusal("invite-not-found"),
    );
    const { token } = await countedInvite(w, 2);
    w.store.takeUse(tokenHash(token));
    w.store.takeUse(tokenHash(token));
    await expect(w.service.editInvite(w.admin, inviteId(token), { maxUses: 5 })).rejects.toEqual(
      refusal("invite-not-found"),
    );
  });

  it("asks for something to change, and says so in every edge's words", async () => {
    const w = setup();
    const id = inviteId((await contactOf(w)).token);
    await expect(w.service.editInvite(w.alice, id, {})).rejects.toEqual(refusal("invite-edit-empty"));
    const entry = describeError("invite-uses-not-allowed");
    expect(entry.chat({ host: "example.org", reason: "from 3 to 100" })).toBe(
      "Sorry, nothing was changed. The number of uses must be from 3 to 100.",
    );
    expect(entry.http.status).toBe(400);
  });

  it("emits invite-edited, and turns an unreachable store into store-unavailable", async () => {
    const w = setup();
    const edited: InviteEvents["invite-edited"][] = [];
    w.events.on("invite-edited", (detail) => edited.push(detail));
    const id = inviteId((await contactOf(w)).token);
    await w.service.editInvite(w.alice, id, { expiresAt: NOW + HOUR });
    expect(edited).toEqual([{ id, by: "alice@example.org" }]);
    w.store.edit = async () => {
      throw new StoreUnavailableError("Redis is not connected");
    };
    await expect(w.service.editInvite(w.alice, id, { expiresAt: NOW + HOUR })).rejects.toMatchObject({
      code: "store-unavailable",
      params: {},
    });
  });
});
