import { describe, expect, it } from "vitest";
import { describeError, InviteError } from "../../../src/errors.js";
import { Events } from "../../../src/events.js";
import type { CircleChoice } from "../../../src/invites/circle-choice.js";
import type { Invite } from "../../../src/invites/invite.js";
import type { InviteEvents } from "../../../src/invites/invite-events.js";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor, type Policy } from "../../../src/invites/permissions.js";
import { DEFAULT_QUOTA_PERIOD_SECONDS } from "../../../src/invites/quota.js";
import { recordOf } from "../../../src/invites/record.js";
import type { RoleSupport } from "../../../src/invites/roles.js";
import { InviteService, type InviteServiceOptions } from "../../../src/invites/service.js";
import {
  type InviteStore,
  type QuotaStore,
  type RelationsStore,
  StoreUnavailableError,
} from "../../../src/invites/store.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";

/** What the store keeps for the token, as a record. */
async function storedRecord(store: InviteStore, token: string) {
  return (await store.findById(inviteId(token)))[0]?.record;
}

const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);
const NOW = NOW_MS / 1000;
const clock = () => NOW_MS;
const random = (size: number) => Buffer.alloc(size, 7);
const TOKEN = Buffer.alloc(18, 7).toString("base64url");

function setup(
  overrides: Partial<Policy> = {},
  invitePage?: string,
  store: InviteStore & QuotaStore & RelationsStore = new MemoryInviteStore(clock),
  extras: { events?: Events<InviteEvents>; circles?: CircleChoice; roles?: RoleSupport } = {},
) {
  const policy: Policy = {
    domain: "example.org",
    admins: new Set(["admin@example.org"]),
    allowUserInvites: false,
    allowContactInvites: true,
    ...overrides,
  };
  const service = new InviteService({
    store,
    policy,
    ttlSeconds: 604_800,
    invitePage,
    clock,
    random,
    ...extras,
  });
  return { service, store, actor: (jid: string) => actorFor(jid, policy) };
}

describe("InviteService.createContactInvite", () => {
  it("creates a contact-only invite for a user who may not invite new users", async () => {
    const { service, store, actor } = setup();
    const { invite, landingUrl } = await service.createContactInvite(
      actor("alice@example.org"),
      "alice@example.org/phone",
    );
    const expected: Invite = {
      type: "roster",
      jid: "alice@example.org",
      token: TOKEN,
      allow_registration: false,
      additional_data: { source: "alice@example.org/phone" },
      uri: `xmpp:alice@example.org?roster;preauth=${TOKEN}`,
      created_at: NOW,
      expires: NOW + 604_800,
      reusable: false,
    };
    expect(invite).toEqual(expected);
    expect(landingUrl).toBe(invite.uri);
    expect(await storedRecord(store, TOKEN)).toEqual(recordOf(expected));
  });

  it("allows registration (;ibr=y, host-level entry) when users may invite", async () => {
    const { service, store, actor } = setup({ allowUserInvites: true });
    const { invite } = await service.createContactInvite(actor("alice@example.org"), "alice@example.org/phone");
    expect(invite.allow_registration).toBe(true);
    expect(invite.uri).toBe(`xmpp:alice@example.org?roster;preauth=${TOKEN};ibr=y`);
    expect(await storedRecord(store, TOKEN)).toEqual(recordOf(invite));
  });

  it("allows registration for an admin even when users may not invite", async () => {
    const { service, actor } = setup();
    const { invite } = await service.createContactInvite(actor("admin@example.org"), "admin@example.org/pc");
    expect(invite.allow_registration).toBe(true);
  });

  it("fills the landing page from INVITE_PAGE", async () => {
    const { service, actor } = setup({}, "https://{host}/invite?{token}");
    const { invite, landingUrl } = await service.createContactInvite(actor("alice@example.org"), "alice@example.org/a");
    expect(invite.landing_page).toBe(`https://example.org/invite?${TOKEN}`);
    expect(landingUrl).toBe(invite.landing_page);
  });

  it("refuses users of another domain", async () => {
    const { service, actor } = setup({ allowUserInvites: true });
    await expect(
      service.createContactInvite(actor("eve@elsewhere.example"), "eve@elsewhere.example/x"),
    ).rejects.toEqual(new InviteError("not-local-user"));
  });

  it("refuses non-admins when contact invites are for admins only", async () => {
    const { service, store, actor } = setup({ allowContactInvites: false });
    await expect(service.createContactInvite(actor("alice@example.org"), "alice@example.org/a")).rejects.toEqual(
      new InviteError("contact-invites-admins-only"),
    );
    expect((await store.listPage({ offset: 0, limit: 25 })).total).toBe(0);
  });
});

describe("InviteService.createAccountInvite", () => {
  it("creates an account invite for an admin", async () => {
    const { service, store, actor } = setup();
    const { invite } = await service.createAccountInvite(actor("admin@example.org"), "admin@example.org/pc");
    expect(invite).toMatchObject({
      type: "register",
      jid: "example.org",
      allow_registration: true,
      uri: `xmpp:example.org?register;preauth=${TOKEN}`,
    });
    expect(await storedRecord(store, TOKEN)).toEqual(recordOf(invite));
  });

  it("refuses an account invite to a non-admin", async () => {
    const { service, actor } = setup({ allowUserInvites: true });
    await expect(service.createAccountInvite(actor("alice@example.org"), "alice@example.org/a")).rejects.toEqual(
      new InviteError("account-invites-admins-only"),
    );
  });
});

/** A store whose every save fails with `error`. */
function storeThatThrows(error: Error): InviteStore & QuotaStore & RelationsStore {
  return {
    save: async () => {
      throw error;
    },
    listPage: async () => ({ invites: [], total: 0 }),
    findById: async () => [],
    findByToken: async () => undefined,
    remove: async () => 0,
    edit: async () => ({ ok: false, reason: "gone" }),
    reserve: async () => ({ allowed: true }),
    release: async () => {},
    whoInvited: async () => undefined,
    inviteesOf: async () => [],
  };
}

describe("storage failures", () => {
  it("turns an unreachable store into store-unavailable, keeping the cause", async () => {
    const failing = storeThatThrows(new StoreUnavailableError("Redis is not connected"));
    const { service, actor } = setup({}, undefined, failing);
    const attempt = service.createAccountInvite(actor("admin@example.org"), "admin@example.org/pc");
    await expect(attempt).rejects.toMatchObject({
      code: "store-unavailable",
      cause: { message: "Redis is not connected" },
    });
  });

  it("says what did not happen: no invite was created, or the list cannot be shown", async () => {
    const down = new StoreUnavailableError("Redis is not connected");
    const failing = {
      ...storeThatThrows(down),
      listPage: async () => {
        throw down;
      },
    };
    const { service, actor } = setup({}, undefined, failing);
    const created = await service.createAccountInvite(actor("admin@example.org"), "x@example.org/y").catch((e) => e);
    const listed = await service.listInvites(actor("admin@example.org")).catch((e) => e);
    const say = (error: InviteError) => describeError(error.code).chat({ host: "example.org", ...error.params });
    expect(say(created)).toContain("so no invite was created.");
    expect(say(listed)).toContain("so the list cannot be shown.");
    expect(say(listed)).not.toContain("invite was created");
  });

  it("lets programming errors through unchanged", async () => {
    const { service, actor } = setup({}, undefined, storeThatThrows(new TypeError("bug")));
    await expect(service.createAccountInvite(actor("admin@example.org"), "admin@example.org/pc")).rejects.toThrow(
      TypeError,
    );
  });
});

describe("the quota", () => {
  /** A service with a quota of 2 and a clock that the test moves, shared with its store. */
  function quotaService(
    prepare: (store: MemoryInviteStore) => void = () => {},
    limits: Partial<InviteServiceOptions> = { quota: 2 },
    rights: Partial<Policy> = {},
  ) {
    const policy: Policy = {
      domain: "example.org",
      admins: new Set(["admin@example.org"]),
      allowUserInvites: false,
      allowContactInvites: true,
      ...rights,
    };
    let nowMs = NOW_MS;
    const store = new MemoryInviteStore(() => nowMs);
    prepare(store);
    const service = new InviteService({
      store,
      policy,
      ttlSeconds: 604_800,
      invitePage: undefined,
      clock: () => nowMs,
      ...limits,
    });
    return { service, store, actor: (jid: string) => actorFor(jid, policy), later: (ms: number) => (nowMs += ms) };
  }

  it("refuses the third invite in 24 hours and says when the next is possible", async () => {
    const { service, actor } = quotaService();
    await service.createContactInvite(actor("alice@example.org"), "alice@example.org/a");
    await service.createContactInvite(actor("alice@example.org"), "alice@example.org/a");
    await expect(service.createContactInvite(actor("alice@example.org"), "alice@example.org/a")).rejects.toMatchObject({
      code: "quota-exceeded",
      params: { retryAt: "in 1 day (Sat, 28 Nov 2026 01:59 UTC)" },
    });
  });

  it("allows the next invite once the oldest has left the 24-hour window, and not a moment before", async () => {
    const { service, actor, later } = quotaService();
    const alice = actor("alice@example.org");
    await service.createContactInvite(alice, "alice@example.org/a");
    later(3_600_000);
    await service.createContactInvite(alice, "alice@example.org/a");
    later(DEFAULT_QUOTA_PERIOD_SECONDS * 1000 - 3_600_000 - 1);
    await expect(service.createContactInvite(alice, "alice@example.org/a")).rejects.toMatchObject({
      code: "quota-exceeded",
    });
    later(1);
    await expect(service.createContactInvite(alice, "alice@example.org/a")).resolves.toBeDefined();
    await expect(service.createContactInvite(alice, "alice@example.org/a")).rejects.toMatchObject({
      code: "quota-exceeded",
    });
  });

  it("gives the place back when the invite could not be stored", async () => {
    let failing = true;
    const { service, actor } = quotaService((store) => {
      const save = store.save.bind(store);
      store.save = async (invite, reservation) => {
        if (failing) throw new StoreUnavailableError("down");
        return save(invite, reservation);
      };
    });
    const alice = actor("alice@example.org");
    for (let i = 0; i < 3; i += 1) {
      await expect(service.createContactInvite(alice, "alice@example.org/a")).rejects.toMatchObject({
        code: "store-unavailable",
      });
    }
    failing = false;
    // The three failures took no place: both places are still there, and only two.
    await service.createContactInvite(alice, "alice@example.org/a");
    await service.createContactInvite(alice, "alice@example.org/a");
    await expect(service.createContactInvite(alice, "alice@example.org/a")).rejects.toMatchObject({
      code: "quota-exceeded",
    });
  });

  it("exempts admins", async () => {
    const { service, actor } = quotaService(undefined, { quota: 2, maxPending: 2 });
    for (let i = 0; i < 5; i += 1) {
      await service.createContactInvite(actor("admin@example.org"), "admin@example.org/pc");
    }
    expect((await service.listInvites(actor("admin@example.org"))).total).toBe(5);
  });

  it("counts over the period it is given, and names it", async () => {
    const { service, actor, later } = quotaService(undefined, { quota: 1, quotaPeriodSeconds: 3_600 });
    const alice = actor("alice@example.org");
    await service.createContactInvite(alice, "alice@example.org/a");
    await expect(service.createContactInvite(alice, "alice@example.org/a")).rejects.toMatchObject({
      code: "quota-exceeded",
      params: { period: "1 hour", retryAt: "in 1 hour (Fri, 27 Nov 2026 02:59 UTC)" },
    });
    later(3_600_000);
    await expect(service.createContactInvite(alice, "alice@example.org/a")).resolves.toBeDefined();
  });

  it("refuses an invite past the most pending at once, until one is revoked or expires", async () => {
    const { service, actor, later } = quotaService(undefined, { maxPending: 2 });
    const alice = actor("alice@example.org");
    const first = await service.createContactInvite(alice, "alice@example.org/a");
    await service.createContactInvite(alice, "alice@example.org/a");
    await expect(service.createContactInvite(alice, "alice@example.org/a")).rejects.toMatchObject({
      code: "pending-invites-exceeded",
      params: { limit: "2", retryAt: "in 1 week (Fri, 04 Dec 2026 01:59 UTC)" },
    });
    await service.revokeInvite(alice, inviteId(first.invite.token));
    await expect(service.createContactInvite(alice, "alice@example.org/a")).resolves.toBeDefined();
    await expect(service.createContactInvite(alice, "alice@example.org/a")).rejects.toMatchObject({
      code: "pending-invites-exceeded",
    });
    later(604_800_000);
    await expect(service.createContactInvite(alice, "alice@example.org/a")).resolves.toBeDefined();
  });

  it("lets an account made through an invite invite new people once it is old enough, and anyone else", async () => {
    const { service, actor, later } = quotaService(
      (store) => store.recordUse("admin@example.org", "newbie@example.org", Math.floor(NOW_MS / 1000)),
      { minAccountAgeSeconds: 86_400 },
      { allowUserInvites: true },
    );
    await expect(
      service.createContactInvite(actor("newbie@example.org"), "newbie@example.org/a"),
    ).rejects.toMatchObject({
      code: "account-too-new",
      params: { period: "1 day", retryAt: "in 1 day (Sat, 28 Nov 2026 01:59 UTC)" },
    });
    // No record: made before records were kept, or not through an invite.
    await expect(service.createContactInvite(actor("alice@example.org"), "alice@example.org/a")).resolves.toBeDefined();
    later(86_400_000);
    await expect(
      service.createContactInvite(actor("newbie@example.org"), "newbie@example.org/a"),
    ).resolves.toBeDefined();
  });

  it("asks no age of a contact invite that cannot register", async () => {
    const { service, actor } = quotaService(
      (store) => store.recordUse("admin@example.org", "newbie@example.org", Math.floor(NOW_MS / 1000)),
      { minAccountAgeSeconds: 86_400 },
    );
    const made = await service.createContactInvite(actor("newbie@example.org"), "newbie@example.org/a");
    expect(made.invite.allow_registration).toBe(false);
  });

  it("gives a non-admin's invite no longer a life than the policy allows, and an admin's the usual", async () => {
    const { service, actor } = quotaService(undefined, { userMaxTtlSeconds: 3_600 });
    const mine = await service.createContactInvite(actor("alice@example.org"), "alice@example.org/a");
    expect(mine.invite.expires - mine.invite.created_at).toBe(3_600);
    const admins = await service.createContactInvite(actor("admin@example.org"), "admin@example.org/pc");
    expect(admins.invite.expires - admins.invite.created_at).toBe(604_800);
  });
});

describe("InviteService lists and revocations", () => {
  function counterRandom() {
    let n = 0;
    return (size: number) => {
      n += 1;
      const bytes = Buffer.alloc(size, 0);
      bytes.writeUInt32BE(n, 0);
      return bytes;
    };
  }

  function manyInvites() {
    const store = new MemoryInviteStore(clock);
    const policy: Policy = {
      domain: "example.org",
      admins: new Set(["admin@example.org"]),
      allowUserInvites: false,
      allowContactInvites: true,
    };
    const service = new InviteService({
      store,
      policy,
      ttlSeconds: 604_800,
      invitePage: undefined,
      clock,
      random: counterRandom(),
    });
    return { service, actor: (jid: string) => actorFor(jid, policy) };
  }

  it("pages an admin's list 25 at a time and tells the total", async () => {
    const { service, actor } = manyInvites();
    for (let i = 0; i < 30; i += 1)
      await service.createContactInvite(actor("alice@example.org"), "alice@example.org/a");
    const first = await service.listInvites(actor("admin@example.org"));
    const second = await service.listInvites(actor("admin@example.org"), { page: 2 });
    expect([first.invites.length, first.total, second.invites.length, second.page]).toEqual([25, 30, 5, 2]);
    const ids = [...first.invites, ...second.invites].map((p) => p.id);
    expect(new Set(ids).size).toBe(30);
  });

  it("shows a user only their own invites, and an admin one inviter's when asked", async () => {
    const { service, actor } = manyInvites();
    await service.createContactInvite(actor("alice@example.org"), "alice@example.org/a");
    await service.createContactInvite(actor("bob@example.org"), "bob@example.org/b");
    await service.createAccountInvite(actor("admin@example.org"), "admin@example.org/pc");
    const inviters = async (who: string, inviter?: string) =>
      (await service.listInvites(actor(who), inviter === undefined ? {} : { inviter })).invites.map((p) => p.inviter);
    expect(await inviters("alice@example.org")).toEqual(["alice@example.org"]);
    expect(await inviters("alice@example.org", "bob@example.org")).toEqual(["alice@example.org"]);
    expect(await inviters("admin@example.org", "bob@example.org")).toEqual(["bob@example.org"]);
    expect((await inviters("admin@example.org")).sort()).toEqual([
      "admin@example.org",
      "alice@example.org",
      "bob@example.org",
    ]);
  });

  it("lets a user revoke their own invite by id but not someone else's", async () => {
    const { service, actor } = manyInvites();
    const alices = await service.createContactInvite(actor("alice@example.org"), "alice@example.org/a");
    const bobs = await service.createContactInvite(actor("bob@example.org"), "bob@example.org/b");
    await expect(service.revokeInvite(actor("alice@example.org"), inviteId(bobs.invite.token))).rejects.toEqual(
      new InviteError("invite-not-found"),
    );
    expect((await service.revokeInvite(actor("alice@example.org"), inviteId(alices.invite.token))).inviter).toBe(
      "alice@example.org",
    );
    expect((await service.listInvites(actor("admin@example.org"))).total).toBe(1);
  });

  it("revokes every pending invite of one user for an admin, and only for an admin", async () => {
    const { service, actor } = manyInvites();
    for (let i = 0; i < 3; i += 1) await service.createContactInvite(actor("alice@example.org"), "alice@example.org/a");
    await service.createContactInvite(actor("bob@example.org"), "bob@example.org/b");
    await expect(service.revokeAllOf(actor("bob@example.org"), "alice@example.org")).rejects.toEqual(
      new InviteError("revoke-all-admins-only"),
    );
    expect(await service.revokeAllOf(actor("admin@example.org"), "alice@example.org")).toBe(3);
    expect((await service.listInvites(actor("admin@example.org"))).invites.map((p) => p.inviter)).toEqual([
      "bob@example.org",
    ]);
  });
});

describe("InviteService events", () => {
  it("emits invite-created for each kind, with the short id and the requester, and nothing for a refusal", async () => {
    const events = new Events<InviteEvents>();
    const created: unknown[] = [];
    events.on("invite-created", (detail) => created.push(detail));
    const { service, actor } = setup({}, undefined, undefined, { events });
    const [admin, alice] = [actor("admin@example.org"), actor("alice@example.org")];
    const contact = await service.createContactInvite(alice, "alice@example.org/phone");
    const account = await service.createAccountInvite(admin, "admin@example.org/pc");
    const reset = await service.createPasswordResetInvite(admin, "admin@example.org/pc", "alice@example.org");
    await expect(service.createAccountInvite(alice, "alice@example.org/phone")).rejects.toBeInstanceOf(InviteError);
    expect(created).toEqual([
      { id: inviteId(contact.invite.token), kind: "contact", type: "roster", by: "alice@example.org" },
      { id: inviteId(account.invite.token), kind: "account", type: "register", by: "admin@example.org" },
      { id: inviteId(reset.invite.token), kind: "password-reset", type: "register", by: "admin@example.org" },
    ]);
  });

  it("emits invites-revoked with how many went, for one, several and all of a user's", async () => {
    const events = new Events<InviteEvents>();
    const revoked: unknown[] = [];
    events.on("invites-revoked", (detail) => revoked.push(detail));
    const store = new MemoryInviteStore(clock);
    const { service, actor } = setup({}, undefined, store, { events });
    const [admin, alice] = [actor("admin@example.org"), actor("alice@example.org")];
    // Five different tokens, from a service on the same store with the real random source.
    const maker = new InviteService({ store, policy: service.policy, ttlSeconds: 604_800, invitePage: undefined });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(inviteId((await maker.createContactInvite(alice, "a/b")).invite.token));
    await service.revokeInvite(alice, ids[0] ?? "");
    await service.revokeInvites(alice, ids.slice(1, 3));
    expect(await service.revokeAllOf(admin, "alice@example.org")).toBe(2);
    expect(revoked).toEqual([
      { count: 1, by: "alice@example.org" },
      { count: 2, by: "alice@example.org" },
      { count: 2, by: "admin@example.org" },
    ]);
  });
});

describe("account invites to circles and group chats", () => {
  const choice = {
    idsFor: async (_actor: unknown, refs: readonly string[]) =>
      refs.map((ref) => {
        if (ref !== "Family") throw new InviteError("circle-not-found", { params: { name: ref } });
        return "FamilyCircle";
      }),
  };

  it("stores the circles as Prosody 13's additional_data.groups and the chats as our rooms", async () => {
    const { service, store, actor } = setup({}, undefined, undefined, { circles: choice });
    const { invite } = await service.createAccountInvite(actor("admin@example.org"), "admin@example.org/x", {
      circles: ["Family"],
      rooms: ["Hall@Conference.Example.org"],
    });
    expect(invite.additional_data).toMatchObject({ groups: ["FamilyCircle"], rooms: ["hall@conference.example.org"] });
    expect((await storedRecord(store, invite.token))?.additional_data).toMatchObject({ groups: ["FamilyCircle"] });
  });

  it("creates nothing for a circle that is not there, or a chat that is not a room", async () => {
    const { service: withChoice, store, actor } = setup({}, undefined, undefined, { circles: choice });
    const admin = actor("admin@example.org");
    await expect(withChoice.createAccountInvite(admin, "a/b", { circles: ["Nope"] })).rejects.toMatchObject({
      code: "circle-not-found",
    });
    await expect(withChoice.createAccountInvite(admin, "a/b", { rooms: ["bob@example.org"] })).rejects.toMatchObject({
      code: "circle-room-invalid",
    });
    const { service: without } = setup({}, undefined, store);
    await expect(without.createAccountInvite(admin, "a/b", { circles: ["Family"] })).rejects.toMatchObject({
      code: "circle-not-found",
    });
    expect((await store.listPage({ offset: 0, limit: 10 })).invites).toEqual([]);
  });
});

describe("account invites with a role (Prosody 13)", () => {
  const supported = { rolesOnJoin: () => true };

  it("keeps a chosen role as Prosody 13's additional_data.roles, and no role for the default", async () => {
    const { service, actor } = setup({}, undefined, undefined, { roles: supported });
    const admin = actor("admin@example.org");
    const guest = await service.createAccountInvite(admin, "a/b", { role: "prosody:guest" });
    expect(guest.invite.additional_data?.roles).toEqual(["prosody:guest"]);
    const plain = await service.createAccountInvite(admin, "a/b", {});
    expect(plain.invite.additional_data?.roles).toBeUndefined();
  });

  it("refuses a role where the server sets none (Prosody 0.12, other servers), creating nothing", async () => {
    for (const roles of [undefined, { rolesOnJoin: () => false }]) {
      const { service, store, actor } = setup({}, undefined, undefined, roles === undefined ? {} : { roles });
      await expect(
        service.createAccountInvite(actor("admin@example.org"), "a/b", { role: "prosody:member" }),
      ).rejects.toMatchObject({ code: "roles-unsupported" });
      expect((await store.listPage({ offset: 0, limit: 5 })).invites).toEqual([]);
    }
  });
});
