/**
 * Usernames held for bound invites (issue 25 point 4): the rule (which record holds which name), the bot's refusals
 * (a registration where the bot makes accounts, a second bound invite) and how the in-band refusal of our Prosody
 * module is read. The same on real servers: test/integration/held-usernames.test.ts, ejabberd/held-usernames.test.ts.
 */
import { describe, expect, it } from "vitest";
import { InviteError } from "../../../src/errors.js";
import { heldForAnother, heldNameOf, holderOf } from "../../../src/invites/held-names.js";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor, type Policy } from "../../../src/invites/permissions.js";
import type { InviteRecord } from "../../../src/invites/record.js";
import { InviteService } from "../../../src/invites/service.js";
import type { InviteClaims, StoredInvite } from "../../../src/invites/store.js";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { tokenHash } from "../../../src/invites/token.js";
import { createLogger } from "../../../src/logger.js";
import { heldNameRefusal } from "../../../src/registration/held-check.js";
import { failureOf } from "../../../src/registration/in-band-answers.js";
import { byInviterKey, forUsernameKey, pendingKey } from "../../../src/storage/keys.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { expiryIndexesOf } from "../../../src/storage/record.js";

const NOW = 1_800_000_000;

function record(fields: Partial<InviteRecord>): InviteRecord {
  return {
    type: "register",
    jid: "example.org",
    allow_registration: true,
    created_at: NOW - 60,
    expires: NOW + 3600,
    reusable: false,
    ...fields,
  };
}

function stored(hash: string, fields: Partial<InviteRecord>): StoredInvite {
  return { hash, record: record(fields), used: 0 };
}

describe("heldNameOf: which name a pending invite holds", () => {
  it("is the bound name of an invite that registers, in lower case", () => {
    expect(heldNameOf(record({ jid: "Bob@example.org" }))).toBe("bob");
    expect(heldNameOf(record({ jid: "bob@example.org", additional_data: { username: "bob" } }))).toBe("bob");
    // A contact invite that registers (XEP-0401 roster-subscription) bound to a name holds it too.
    expect(heldNameOf(record({ type: "roster", jid: "admin@example.org", additional_data: { username: "bob" } }))).toBe(
      "bob",
    );
  });

  it("is none for an unbound invite, a reset link, or an invite that cannot register", () => {
    expect(heldNameOf(record({}))).toBeUndefined();
    expect(heldNameOf(record({ jid: "bob@example.org", additional_data: { allow_reset: "bob" } }))).toBeUndefined();
    expect(heldNameOf(record({ type: "roster", jid: "admin@example.org", allow_registration: false }))).toBeUndefined();
    expect(heldNameOf(record({ jid: "bob@example.org", allow_registration: false }))).toBeUndefined();
  });
});

describe("the for:LOCAL index a bound invite is in", () => {
  it("files a contact invite that registers, bound to a name, under that name (as the Prosody module does)", () => {
    const contact = record({
      type: "roster",
      jid: "Admin@example.org",
      additional_data: { source: "admin@example.org/pc", username: "Bob" },
    });
    expect(expiryIndexesOf("example.org", contact)).toEqual([
      pendingKey("example.org"),
      byInviterKey("example.org", "admin@example.org"),
      forUsernameKey("example.org", "bob"),
    ]);
  });
});

describe("holderOf: who holds a name against an invite", () => {
  const bound = stored("B", { jid: "bob@example.org" });

  it("finds another pending invite bound to the name, whatever the case it is asked in", () => {
    expect(holderOf([bound], "BOB", NOW, "X")).toBe(bound);
    expect(holderOf([bound], "bob", NOW)).toBe(bound);
    expect(holderOf([bound], "carol", NOW, "X")).toBeUndefined();
  });

  it("lets an invite bound to the name have it, even when another is bound to it too", () => {
    const second = stored("C", { jid: "bob@example.org" });
    expect(holderOf([bound, second], "bob", NOW, "C")).toBeUndefined();
    expect(holderOf([bound], "bob", NOW, "B")).toBeUndefined();
  });

  it("ignores expired invites and reset links", () => {
    expect(holderOf([stored("E", { jid: "bob@example.org", expires: NOW })], "bob", NOW, "X")).toBeUndefined();
    const reset = stored("R", { jid: "bob@example.org", additional_data: { allow_reset: "bob" } });
    expect(holderOf([reset], "bob", NOW, "X")).toBeUndefined();
  });

  it("asks the store for the name in lower case", async () => {
    const asked: string[] = [];
    const store = {
      boundTo: async (local: string) => {
        asked.push(local);
        return [bound];
      },
    };
    expect(await heldForAnother(store, "Bob", "X", () => NOW * 1000)).toBe(true);
    expect(asked).toEqual(["bob"]);
  });
});

describe("a second invite bound to a held name (InviteService on the in-memory store)", () => {
  const policy: Policy = {
    domain: "example.org",
    admins: new Set(["admin@example.org"]),
    allowUserInvites: false,
    allowContactInvites: true,
  };
  let nowMs = NOW * 1000;
  const store = new MemoryInviteStore(() => nowMs);
  const service = new InviteService({ store, policy, ttlSeconds: 3600, invitePage: undefined, clock: () => nowMs });
  const admin = actorFor("admin@example.org", policy);

  async function refusal(username: string): Promise<unknown> {
    return service.createAccountInvite(admin, "admin@example.org/pc", { username }).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it("is refused while the first is pending, and made once it is revoked or expired", async () => {
    const first = await service.createAccountInvite(admin, "admin@example.org/pc", { username: "bob" });
    const refused = await refusal("Bob");
    expect(refused).toBeInstanceOf(InviteError);
    expect(refused).toMatchObject({ code: "username-held-by-invite", params: { username: "bob" } });
    // A contact invite that registers, bound to the name, is refused the same.
    expect(
      await service
        .createAccountInvite(admin, "admin@example.org/pc", { username: "bob", rosterSubscription: true })
        .catch((error: unknown) => error),
    ).toMatchObject({ code: "username-held-by-invite" });

    await service.revokeInvite(admin, inviteId(first.invite.token));
    expect(await refusal("bob")).toBeUndefined();

    nowMs += 3601 * 1000;
    expect(await refusal("bob")).toBeUndefined();
  });

  it("is not refused for a name that only a password reset link is for", async () => {
    await service.createPasswordResetInvite(admin, "admin@example.org/pc", "rita@example.org");
    expect(await refusal("rita")).toBeUndefined();
  });
});

describe("heldNameRefusal: the bot's check before it claims an invite for a registration", () => {
  const log = createLogger("silent");
  const bound = stored(tokenHash("bound-token-0000000000000"), { jid: "bob@example.org", expires: 4_000_000_000 });

  function claims(boundTo: InviteClaims["boundTo"]): InviteClaims {
    return {
      claim: async () => ({ ok: false, reason: "gone" }),
      unsettled: async () => [],
      recordUse: async () => {},
      ...(boundTo === undefined ? {} : { boundTo }),
    };
  }

  it("refuses a name another invite holds, before anything is claimed", async () => {
    const refusal = await heldNameRefusal(
      claims(async () => [bound]),
      "open-token-00000000000000",
      "bob",
      log,
    );
    expect(refusal).toEqual({ ok: false, reason: "username-held" });
  });

  it("lets the bound invite have its name, and other names through", async () => {
    const lookup = claims(async () => [bound]);
    expect(await heldNameRefusal(lookup, "bound-token-0000000000000", "bob", log)).toBeUndefined();
    expect(
      await heldNameRefusal(
        claims(async () => []),
        "open-token-00000000000000",
        "carol",
        log,
      ),
    ).toBeUndefined();
    expect(await heldNameRefusal(claims(undefined), "open-token-00000000000000", "bob", log)).toBeUndefined();
  });

  it("answers unavailable when the store does not", async () => {
    const away = claims(async () => {
      throw new StoreUnavailableError("Redis is not connected");
    });
    expect(await heldNameRefusal(away, "open-token-00000000000000", "bob", log)).toEqual({
      ok: false,
      reason: "unavailable",
    });
  });
});

describe("failureOf: our module's refusal of a held name", () => {
  it("is username-held, told apart from a taken name by its text", () => {
    expect(failureOf({ condition: "conflict", text: "The username bob is held for another invite" })).toBe(
      "username-held",
    );
    expect(failureOf({ condition: "conflict", text: "The requested username already exists." })).toBe("username-taken");
  });
});
