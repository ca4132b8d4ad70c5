/**
 * Approval of accounts made through users' invites (APPROVE_USER_INVITED; src/invites/approvals.ts): the mark on a
 * user's invite (creation.ts) and the admins' answers (approval-service.ts) against a server's accounts in memory
 * (FakeAccounts) and a list in memory: what each way of holding asks of the server, who is told, and what is refused.
 */
import { describe, expect, it } from "vitest";
import type { AccountOutcome } from "../../../src/invites/account-control.js";
import type { ApprovalStore, HeldAccount, HeldRegistration } from "../../../src/invites/approvals.js";
import { actorFor, type Policy } from "../../../src/invites/permissions.js";
import type { InviteRecord } from "../../../src/invites/record.js";
import { InviteService } from "../../../src/invites/service.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { FakeAccounts } from "../../helpers/fake-accounts.js";

const POLICY: Policy = {
  domain: "example.org",
  admins: new Set(["admin@example.org"]),
  allowUserInvites: true,
  allowContactInvites: true,
  botJid: "bot@example.org",
};

class MemoryApprovals implements ApprovalStore {
  readonly held = new Map<string, HeldAccount>();
  readonly registrations = new Map<string, HeldRegistration>();
  async list() {
    return [...this.held.values()];
  }
  async get(jid: string) {
    return this.held.get(jid);
  }
  async registration(jid: string) {
    return this.registrations.get(jid);
  }
  async hold(account: HeldAccount & { way: "pending" }, registration: HeldRegistration) {
    this.held.set(account.jid, account);
    this.registrations.set(account.jid, registration);
  }
  async remove(jid: string) {
    return this.held.delete(jid);
  }
}

function world(approveUserInvited = true) {
  const accounts = new FakeAccounts();
  const store = new MemoryApprovals();
  const told: string[] = [];
  const made: string[] = [];
  const maker = {
    create: async (jid: string, registration: HeldRegistration): Promise<AccountOutcome> => {
      made.push(`${jid} ${registration.password}`);
      return { ok: true };
    },
  };
  const service = new InviteService({
    ...{ store: new MemoryInviteStore(() => Date.UTC(2026, 10, 27)), policy: POLICY, ttlSeconds: 604_800 },
    invitePage: undefined,
    approveUserInvited,
    accounts,
    approvals: {
      store,
      maker,
      tell: async (inviter, jid, approved) => void told.push(`${inviter} ${jid} ${approved}`),
    },
  });
  const hold = (name: string, way: HeldAccount["way"]) =>
    store.held.set(`${name}@example.org`, {
      jid: `${name}@example.org`,
      inviter: "alice@example.org",
      invite: "AbCd1234",
      at: 1,
      way,
    });
  return { service, accounts, store, told, made, hold, admin: actorFor("admin@example.org", POLICY) };
}

describe("the approval mark on invites", () => {
  it("is on a user's invite that registers, signed with its record, and never on an admin's", async () => {
    const { service } = world();
    const alice = await service.createContactInvite(actorFor("alice@example.org", POLICY), "alice@example.org/phone");
    expect(alice.invite.additional_data?.approval).toBe(true);
    const admin = await service.createContactInvite(actorFor("admin@example.org", POLICY), "admin@example.org/pc");
    expect(admin.invite.additional_data?.approval).toBeUndefined();
    const account = await service.createAccountInvite(actorFor("admin@example.org", POLICY), "admin@example.org/pc");
    expect(account.invite.additional_data?.approval).toBeUndefined();
  });

  it("is on nothing without APPROVE_USER_INVITED, nor on a contact invite that registers nobody", async () => {
    const off = world(false);
    const made = await off.service.createContactInvite(actorFor("alice@example.org", POLICY), "alice@example.org/x");
    expect(made.invite.additional_data?.approval).toBeUndefined();
    const noRegistration = new InviteService({
      ...{ store: new MemoryInviteStore(), policy: { ...POLICY, allowUserInvites: false }, ttlSeconds: 600 },
      invitePage: undefined,
      approveUserInvited: true,
    });
    const contact = await noRegistration.createContactInvite(
      actorFor("alice@example.org", POLICY),
      "alice@example.org/x",
    );
    expect(contact.invite.allow_registration).toBe(false);
    expect(contact.invite.additional_data?.approval).toBeUndefined();
  });
});

describe("an admin's answer to a held account", () => {
  it("enables a disabled account (Prosody 13), takes it off the list and tells the inviter", async () => {
    const { service, accounts, store, told, hold, admin } = world();
    hold("newbie", "disabled");
    expect(await service.approvals.approve(admin, "newbie")).toEqual({ jid: "newbie@example.org", ok: true });
    expect(accounts.calls).toEqual(["enable newbie@example.org"]);
    expect(store.held.size).toBe(0);
    expect(told).toEqual(["alice@example.org newbie@example.org true"]);
  });

  it("asks the server nothing on Prosody 0.12 (off the list, it binds), and makes a pending one", async () => {
    const { service, accounts, store, told, made, hold, admin } = world();
    hold("oldone", "no-login");
    expect((await service.approvals.approve(admin, "oldone@example.org")).ok).toBe(true);
    expect(accounts.calls).toEqual([]);
    await store.hold(
      { jid: "ejnew@example.org", inviter: "alice@example.org", invite: "AbCd1234", at: 1, way: "pending" },
      { password: "pw", record: {} as InviteRecord },
    );
    expect((await service.approvals.approve(admin, "EjNew")).ok).toBe(true);
    expect(made).toEqual(["ejnew@example.org pw"]);
    expect(told).toHaveLength(2);
  });

  it("deletes an account it rejects; a pending one is only dropped", async () => {
    const { service, accounts, told, hold, admin } = world();
    hold("spammy", "disabled");
    hold("pendy", "pending");
    expect((await service.approvals.reject(admin, "spammy")).ok).toBe(true);
    expect((await service.approvals.reject(admin, "pendy")).ok).toBe(true);
    expect(accounts.calls).toEqual(["remove spammy@example.org"]);
    expect(told).toEqual(["alice@example.org spammy@example.org false", "alice@example.org pendy@example.org false"]);
  });

  it("keeps the account on the list, telling nobody, when the server refuses", async () => {
    const { service, accounts, store, told, hold, admin } = world();
    hold("stuck", "disabled");
    accounts.failing.set("stuck@example.org", "the server says: no");
    expect(await service.approvals.approve(admin, "stuck")).toEqual({
      jid: "stuck@example.org",
      ok: false,
      why: "the server says: no",
    });
    expect(store.held.has("stuck@example.org")).toBe(true);
    expect(told).toEqual([]);
  });

  it("answers for no account that is not on the list, nor of another domain, and only for admins", async () => {
    const { service, hold, admin } = world();
    hold("newbie", "disabled");
    const notHeld = "it is not waiting for approval (someone answered already, or it never was)";
    expect(await service.approvals.approve(admin, "nobody")).toEqual({
      jid: "nobody@example.org",
      ok: false,
      why: notHeld,
    });
    expect((await service.approvals.reject(admin, "newbie@other.example")).ok).toBe(false);
    const alice = actorFor("alice@example.org", POLICY);
    await expect(service.approvals.approve(alice, "newbie")).rejects.toMatchObject({ code: "accounts-admins-only" });
    await expect(service.approvals.list(alice)).rejects.toMatchObject({ code: "accounts-admins-only" });
    expect((await service.approvals.list(admin)).map((held) => held.jid)).toEqual(["newbie@example.org"]);
  });
});
