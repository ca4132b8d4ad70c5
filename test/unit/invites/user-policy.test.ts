/**
 * The rules of the users' invite policy beyond the period and pending caps (src/invites/quota.ts): the most uses a
 * user's invite may have, the tree budget and the chain's pace, through InviteService with the Map store; the
 * words of each refusal. Admins are exempt from all of them.
 */
import { describe, expect, it } from "vitest";
import { describeError, type InviteError } from "../../../src/errors.js";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor, type Policy } from "../../../src/invites/permissions.js";
import { InviteService, type InviteServiceOptions } from "../../../src/invites/service.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";

const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);
const LONG_AGO = NOW_MS / 1000 - 30 * 86_400;

function world(limits: Partial<InviteServiceOptions>, rights: Partial<Policy> = {}) {
  const policy: Policy = {
    domain: "example.org",
    admins: new Set(["admin@example.org"]),
    allowUserInvites: true,
    allowContactInvites: true,
    ...rights,
  };
  let nowMs = NOW_MS;
  const store = new MemoryInviteStore(() => nowMs);
  const service = new InviteService({
    ...{ store, policy, ttlSeconds: 604_800, invitePage: undefined, clock: () => nowMs },
    ...limits,
  });
  const actor = (name: string) => actorFor(`${name}@example.org`, policy);
  const invite = (name: string, maxUses?: number) =>
    service.createContactInvite(actor(name), `${name}@example.org/phone`, maxUses === undefined ? {} : { maxUses });
  /** `invitee` registered through `inviter`'s invite at `atSeconds`, as the server records it. */
  const registered = (inviter: string, invitee: string, atSeconds = LONG_AGO) =>
    store.recordUse(`${inviter}@example.org`, `${invitee}@example.org`, atSeconds);
  return { service, store, actor, invite, registered, later: (ms: number) => (nowMs += ms) };
}

describe("the most uses of a user's invite", () => {
  it("makes an invite for several people up to INVITE_USER_MAX_USES, single use by default", async () => {
    const { invite } = world({ userMaxUses: 3 });
    const single = await invite("alice");
    expect(single.invite).toMatchObject({ reusable: false });
    expect(single.invite.additional_data?.max_uses).toBeUndefined();
    const forThree = await invite("alice", 3);
    expect(forThree.invite).toMatchObject({ reusable: true, additional_data: { max_uses: 3 } });
    await expect(invite("alice", 4)).rejects.toMatchObject({ code: "invite-uses-too-many", params: { limit: "3" } });
    await expect(invite("alice", 0)).rejects.toMatchObject({ code: "invite-uses-too-many" });
    // Admins: up to the account invite's 100.
    await expect(invite("admin", 100)).resolves.toBeDefined();
  });

  it("refuses more than one use unless the policy allows it, saying so", async () => {
    const { invite } = world({});
    const refusal = invite("alice", 2);
    await expect(refusal).rejects.toMatchObject({ code: "invite-uses-too-many", params: { limit: "1" } });
  });

  it("lets a user lower the uses of an invite of theirs, never raise them; an admin either", async () => {
    const { service, actor, invite } = world({ userMaxUses: 3 });
    const id = inviteId((await invite("alice", 3)).invite.token);
    await expect(service.editInvite(actor("alice"), id, { maxUses: 4 })).rejects.toMatchObject({
      code: "invite-uses-not-allowed",
      params: { reason: "from 1 to 3" },
    });
    expect(await service.editInvite(actor("alice"), id, { maxUses: 2 })).toMatchObject({ maxUses: 2 });
    await expect(service.editInvite(actor("alice"), id, { maxUses: 3 })).rejects.toMatchObject({
      code: "invite-uses-not-allowed",
    });
    expect(await service.editInvite(actor("admin"), id, { maxUses: 50 })).toMatchObject({ maxUses: 50 });
  });

  it("gives a user's invite a new expiry no later than INVITE_USER_MAX_TTL from now", async () => {
    const { service, actor, invite } = world({ userMaxTtlSeconds: 3_600 });
    const id = inviteId((await invite("alice")).invite.token);
    await expect(service.editInvite(actor("alice"), id, { expiresAt: NOW_MS / 1000 + 7_200 })).rejects.toMatchObject({
      code: "invite-expiry-not-allowed",
      params: { reason: "in the future, at most 1 hour from now" },
    });
  });
});

describe("the tree budget", () => {
  it("counts the whole tree from its topmost non-admin, with the registrations pending invites can still make", async () => {
    const { invite, registered } = world({ treeMax: 4, userMaxUses: 3 });
    registered("admin", "root");
    registered("root", "a");
    registered("a", "b");
    // root's tree: a and b, and the 2 uses of a's invite: 4, the budget.
    const forTwo = await invite("a", 2);
    expect(forTwo.invite.additional_data?.max_uses).toBe(2);
    await expect(invite("b")).rejects.toMatchObject({
      code: "invite-tree-full",
      params: { limit: "4", retryAt: "in 1 week (Fri, 04 Dec 2026 01:59 UTC)" },
    });
    await expect(invite("root")).rejects.toMatchObject({ code: "invite-tree-full" });
    // An admin's invites are not held to it, and an admin's other invitee starts a tree of its own.
    await expect(invite("admin")).resolves.toBeDefined();
    registered("admin", "elsewhere");
    await expect(invite("elsewhere", 3)).resolves.toBeDefined();
  });

  it("says to ask an admin when accounts alone fill the tree: waiting frees no place", async () => {
    const { invite, registered } = world({ treeMax: 2 });
    registered("root", "a");
    registered("a", "b");
    const refusal = (await invite("b").catch((error: unknown) => error)) as InviteError;
    expect(refusal).toMatchObject({ code: "invite-tree-full", params: { limit: "2" } });
    expect(describeError(refusal.code).chat({ host: "example.org", ...refusal.params })).toBe(
      "Sorry, your invite tree is full: at most 2 accounts may come from the invites of you, whoever invited you, and everyone they brought in, counting the invites still waiting to be used. Ask an administrator to invite further.",
    );
  });

  it("asks nothing of an invite that registers nobody", async () => {
    const { invite, registered } = world({ treeMax: 1 }, { allowUserInvites: false });
    registered("root", "a");
    await expect(invite("a")).resolves.toMatchObject({ invite: { allow_registration: false } });
  });
});

describe("the chain's pace", () => {
  it("holds an account back until its inviter has been registered for INVITE_CHAIN_PACE", async () => {
    const { invite, registered, later } = world({ chainPaceSeconds: 300 });
    registered("admin", "fresh", NOW_MS / 1000 - 60);
    registered("fresh", "newest", NOW_MS / 1000 - 30);
    await expect(invite("newest")).rejects.toMatchObject({
      code: "invite-chain-too-fast",
      params: { period: "5 minutes", retryAt: "in 4 minutes (Fri, 27 Nov 2026 02:03 UTC)" },
    });
    // An admin's invitee waits for no one.
    await expect(invite("fresh")).resolves.toBeDefined();
    later(240_000);
    await expect(invite("newest")).resolves.toBeDefined();
  });
});

describe("the policy per role", () => {
  const policies = new Map([
    ["prosody:guest", { invites: false as const }],
    ["prosody:member", { invites: true as const, limits: { userMaxUses: 5, quota: 1 } }],
  ]);
  const rolesOf = (roles: Record<string, string>) => ({
    roleOf: async (jid: string) => roles[jid],
  });

  it("refuses a role that may not invite, naming it; holds another to its own limits; the rest to the default", async () => {
    const userRoles = rolesOf({ "guest@example.org": "prosody:guest", "member@example.org": "prosody:member" });
    const { invite } = world({ rolePolicies: policies, userRoles, quota: 10 });
    await expect(invite("guest")).rejects.toMatchObject({
      code: "role-may-not-invite",
      params: { name: "Limited (prosody:guest)" },
    });
    await expect(invite("member", 5)).resolves.toBeDefined();
    await expect(invite("member")).rejects.toMatchObject({ code: "quota-exceeded" });
    await expect(invite("plain", 2)).rejects.toMatchObject({ code: "invite-uses-too-many", params: { limit: "1" } });
    await expect(invite("plain")).resolves.toBeDefined();
  });

  it("holds everyone to the default where the server tells no roles, and never asks for an admin", async () => {
    const asked: string[] = [];
    const userRoles = {
      roleOf: async (jid: string) => {
        asked.push(jid);
        return undefined;
      },
    };
    const { invite } = world({ rolePolicies: policies, userRoles });
    await expect(invite("guest")).resolves.toBeDefined();
    await expect(invite("admin")).resolves.toBeDefined();
    expect(asked).toEqual(["guest@example.org"]);
  });

  it("makes nothing when the server tells roles but did not answer", async () => {
    const userRoles = {
      roleOf: async () => {
        throw new Error("timeout");
      },
    };
    const { invite, store } = world({ rolePolicies: policies, userRoles });
    await expect(invite("alice")).rejects.toMatchObject({ code: "role-unavailable" });
    expect((await store.listPage({ offset: 0, limit: 10 })).total).toBe(0);
  });
});
