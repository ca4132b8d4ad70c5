import { describe, expect, it } from "vitest";
import { inviteId, toPending } from "../../../src/invites/pending.js";
import type { InviteRecord } from "../../../src/invites/record.js";
import { tokenHash } from "../../../src/storage/record.js";

const NOW = 1_800_000_000;
const HASH = tokenHash("T".repeat(24));
const base: InviteRecord = {
  type: "register",
  jid: "example.org",
  allow_registration: true,
  created_at: NOW - 10,
  expires: NOW + 3600,
  reusable: false,
};

function stored(record: InviteRecord, used = 0) {
  return { hash: HASH, record, used };
}

describe("inviteId", () => {
  it("is the first eight characters of the token's hash, the name Redis knows the invite by", () => {
    expect(inviteId("T".repeat(24))).toBe(HASH.slice(0, 8));
    expect(toPending(stored(base), NOW)?.id).toBe(inviteId("T".repeat(24)));
  });

  it("is eight base64url characters that do not reveal the token", () => {
    const id = inviteId("AbCdEfGhIjKlMnOpQrStUvWx");
    expect(id).toMatch(/^[\w-]{8}$/u);
    expect("AbCdEfGhIjKlMnOpQrStUvWx").not.toContain(id);
    expect(inviteId("AbCdEfGhIjKlMnOpQrStUvWx")).toBe(id);
  });
});

describe("toPending", () => {
  it("names an account invite's maker from its source, with its options", () => {
    const invite = {
      ...base,
      reusable: true,
      additional_data: { source: "Admin@Example.org/pc", note: "club", max_uses: 5 },
    };
    expect(toPending(stored(invite, 3), NOW)).toMatchObject({
      kind: "account",
      inviter: "admin@example.org",
      note: "club",
      maxUses: 5,
      usesLeft: 2,
      allowsRegistration: true,
    });
  });

  it("knows a contact invite by its inviter, whether or not it allows registration", () => {
    const contact = { ...base, type: "roster" as const, jid: "alice@example.org" };
    expect(toPending(stored(contact), NOW)).toMatchObject({ kind: "contact", inviter: "alice@example.org" });
    const contactOnly = { ...contact, jid: "bob@example.org", allow_registration: false, expires: NOW + 5 };
    expect(toPending(stored(contactOnly), NOW)).toMatchObject({
      kind: "contact",
      inviter: "bob@example.org",
      allowsRegistration: false,
      expires: NOW + 5,
    });
  });

  it("shows no use count for an invite that is not counted", () => {
    expect(toPending(stored({ ...base, additional_data: { max_uses: 5 } }), NOW)?.maxUses).toBeUndefined();
  });

  it("knows a password reset, and an invite nobody is recorded for", () => {
    const reset = { ...base, additional_data: { allow_reset: "bob" } };
    expect(toPending(stored(reset), NOW)).toMatchObject({
      kind: "reset",
      inviter: undefined,
    });
  });

  it("drops expired invites", () => {
    expect(toPending(stored({ ...base, expires: NOW }), NOW)).toBeUndefined();
  });
});
