import { describe, expect, it } from "vitest";
import type { Invite } from "../../../src/invites/invite.js";
import { inviteId, toPending } from "../../../src/invites/pending.js";

const NOW = 1_800_000_000;
const base: Invite = {
  type: "register",
  jid: "example.org",
  token: "T".repeat(24),
  allow_registration: true,
  uri: "xmpp:example.org?register;preauth=TTT",
  created_at: NOW - 10,
  expires: NOW + 3600,
  reusable: false,
};

describe("inviteId", () => {
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
      additional_data: { source: "Admin@Example.org/pc", note: "club", max_uses: 5, uses_left: 2 },
    };
    expect(toPending({ token: base.token, invite, inviters: [] }, "example.org", NOW)).toMatchObject({
      kind: "account",
      inviter: "admin@example.org",
      note: "club",
      maxUses: 5,
      usesLeft: 2,
      allowsRegistration: true,
    });
  });

  it("knows a contact invite by its inviter, with or without a host entry", () => {
    const contact = { ...base, type: "roster" as const, jid: "alice@example.org" };
    expect(toPending({ token: "a", invite: contact, inviters: [] }, "example.org", NOW)).toMatchObject({
      kind: "contact",
      inviter: "alice@example.org",
    });
    expect(toPending({ token: "a", inviters: [{ local: "bob", expires: NOW + 5 }] }, "example.org", NOW)).toMatchObject(
      {
        kind: "contact",
        inviter: "bob@example.org",
        allowsRegistration: false,
        expires: NOW + 5,
      },
    );
  });

  it("knows a password reset, and an invite nobody is recorded for", () => {
    const reset = { ...base, additional_data: { allow_reset: "bob" } };
    expect(toPending({ token: "a", invite: reset, inviters: [] }, "example.org", NOW)).toMatchObject({
      kind: "reset",
      inviter: undefined,
    });
  });

  it("drops expired invites", () => {
    expect(
      toPending({ token: "a", invite: { ...base, expires: NOW }, inviters: [] }, "example.org", NOW),
    ).toBeUndefined();
  });
});
