/** A held registration's secret (src/storage/held-secret.ts): sealed for one account, opened with its keys only. */
import { describe, expect, it } from "vitest";
import type { InviteRecord } from "../../../src/invites/record.js";
import { openRegistration, sealRegistration } from "../../../src/storage/held-secret.js";
import { TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEY, TEST_SIGNING_KEYS } from "../../helpers/signing.js";

const HOST = "example.org";
const JID = "newbie@example.org";
const RECORD = {
  type: "roster",
  jid: "alice@example.org",
  allow_registration: true,
  additional_data: { source: "alice@example.org/phone", approval: true },
  created_at: 1795744800,
  expires: 1796349600,
} as unknown as InviteRecord;
const HELD = { password: "correct horse battery staple", record: RECORD };

describe("a held registration's secret", () => {
  it("opens to the password and record it sealed, and shows neither", () => {
    const secret = sealRegistration(TEST_SIGNING_KEYS, HOST, JID, HELD);
    expect(secret).not.toContain("horse");
    expect(Buffer.from(secret, "base64url").toString("latin1")).not.toContain("horse");
    expect(openRegistration(TEST_SIGNING_KEYS, HOST, JID, secret)).toEqual(HELD);
    // A fresh IV each time.
    expect(sealRegistration(TEST_SIGNING_KEYS, HOST, JID, HELD)).not.toBe(secret);
  });

  it("opens with an old key, never with a stranger's, for another account or host, or once changed", () => {
    const old = sealRegistration({ current: TEST_OLD_SIGNING_KEY, old: [] }, HOST, JID, HELD);
    expect(openRegistration(TEST_SIGNING_KEYS, HOST, JID, old)).toEqual(HELD);
    const secret = sealRegistration(TEST_SIGNING_KEYS, HOST, JID, HELD);
    const stranger = { current: "a-stranger's-key-0123456789abcdef-nope", old: [] };
    expect(openRegistration(stranger, HOST, JID, secret)).toBeUndefined();
    expect(openRegistration(TEST_SIGNING_KEYS, HOST, "mallory@example.org", secret)).toBeUndefined();
    expect(openRegistration(TEST_SIGNING_KEYS, "other.example.org", JID, secret)).toBeUndefined();
    const bytes = Buffer.from(secret, "base64url");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    expect(openRegistration(TEST_SIGNING_KEYS, HOST, JID, bytes.toString("base64url"))).toBeUndefined();
    expect(openRegistration(TEST_SIGNING_KEYS, HOST, JID, "short")).toBeUndefined();
    expect(openRegistration({ current: TEST_SIGNING_KEY, old: [] }, HOST, JID, old)).toBeUndefined();
  });
});
