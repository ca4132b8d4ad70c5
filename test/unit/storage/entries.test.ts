import { describe, expect, it } from "vitest";
import type { Invite } from "../../../src/invites/invite.js";
import { entriesFor } from "../../../src/storage/entries.js";

const base: Invite = {
  type: "roster",
  jid: "alice@example.org",
  token: "tok_tok_tok_tok_tok_tok_",
  allow_registration: true,
  uri: "xmpp:alice@example.org?roster;preauth=tok_tok_tok_tok_tok_tok_;ibr=y",
  created_at: 1_000,
  expires: 4_600,
  reusable: false,
};

describe("entriesFor (docs/storage.md layout)", () => {
  it("names the host-level and inviter-level keys and gives both the invite's remaining lifetime", () => {
    expect(entriesFor("example.org", base, 1_000_000)).toEqual([
      { key: "invite:example.org:token:tok_tok_tok_tok_tok_tok_", value: base, ttl: 3_600_000 },
      { key: "invite:example.org:inviter:alice:tok_tok_tok_tok_tok_tok_", value: 4_600, ttl: 3_600_000 },
    ]);
  });

  it("writes only the inviter entry when registration is not allowed", () => {
    const entries = entriesFor("example.org", { ...base, allow_registration: false }, 1_000_000);
    expect(entries.map((e) => e.key)).toEqual(["invite:example.org:inviter:alice:tok_tok_tok_tok_tok_tok_"]);
  });

  it("writes only the host entry for an account invite", () => {
    const entries = entriesFor("example.org", { ...base, type: "register", jid: "example.org" }, 1_000_000);
    expect(entries.map((e) => e.key)).toEqual(["invite:example.org:token:tok_tok_tok_tok_tok_tok_"]);
  });

  it("never gives Redis a zero or negative TTL", () => {
    expect(entriesFor("example.org", base, 9_999_999)[0]?.ttl).toBe(1);
  });
});
