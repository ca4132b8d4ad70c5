import { describe, expect, it } from "vitest";
import { type InviteRecord, recordOf } from "../../../src/invites/record.js";
import { byInviterKey, forUsernameKey, pendingKey } from "../../../src/storage/keys.js";
import { expiryIndexesOf, signRecord, tokenHash, verifyRecord } from "../../../src/storage/record.js";

const KEYS = { current: "current-key-0123456789abcdef0123456789", old: ["old-key-0123456789abcdef0123456789ab"] };
const HOST = "example.org";
const HASH = tokenHash("AbCdEfGhIjKlMnOpQrStUvWx");
const RECORD: InviteRecord = {
  type: "register",
  jid: "example.org",
  allow_registration: true,
  additional_data: { source: "admin@example.org/pc" },
  created_at: 1_800_000_000,
  expires: 1_800_604_800,
  reusable: false,
};

describe("tokenHash", () => {
  it("is base64url SHA-256 without padding, 43 characters", () => {
    expect(tokenHash("AbCdEfGhIjKlMnOpQrStUvWx")).toMatch(/^[\w-]{43}$/u);
    // SHA-256("abc"), known answer (FIPS 180-2 appendix B.1), in base64url.
    expect(tokenHash("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  });
});

describe("signRecord and verifyRecord", () => {
  it("verify what they signed, with the current key or an old one", () => {
    const signed = signRecord(KEYS, HOST, HASH, RECORD);
    expect(verifyRecord(KEYS, HOST, HASH, signed)).toEqual(RECORD);
    const withOld = signRecord({ current: KEYS.old[0] ?? "", old: [] }, HOST, HASH, RECORD);
    expect(verifyRecord(KEYS, HOST, HASH, withOld)).toEqual(RECORD);
    expect(verifyRecord({ current: KEYS.current, old: [] }, HOST, HASH, withOld)).toBeUndefined();
  });

  it("refuse a changed record, a tag for another invite or host, and anything malformed", () => {
    const signed = signRecord(KEYS, HOST, HASH, RECORD);
    const edited = signed.record.replace('"reusable":false', '"reusable":true');
    expect(verifyRecord(KEYS, HOST, HASH, { ...signed, record: edited })).toBeUndefined();
    expect(verifyRecord(KEYS, HOST, tokenHash("another token"), signed)).toBeUndefined();
    expect(verifyRecord(KEYS, "other.org", HASH, signed)).toBeUndefined();
    for (const junk of [undefined, null, "text", 1, {}, { record: signed.record }, { ...signed, tag: "short" }]) {
      expect(verifyRecord(KEYS, HOST, HASH, junk)).toBeUndefined();
    }
  });

  it("keep neither the token nor the URI nor the landing page in the record", () => {
    const token = "AbCdEfGhIjKlMnOpQrStUvWx";
    const record = recordOf({
      ...RECORD,
      token,
      uri: `xmpp:example.org?register;preauth=${token}`,
      landing_page: `https://example.org/${token}`,
    });
    expect(signRecord(KEYS, HOST, HASH, record).record).not.toContain(token);
  });
});

describe("expiryIndexesOf", () => {
  it("puts every invite in pending, an inviter's in theirs, a bound invite under its username", () => {
    expect(expiryIndexesOf(HOST, RECORD)).toEqual([pendingKey(HOST), byInviterKey(HOST, "admin@example.org")]);
    const contact = { ...RECORD, type: "roster" as const, jid: "Alice@Example.org", additional_data: {} };
    expect(expiryIndexesOf(HOST, contact)).toEqual([pendingKey(HOST), byInviterKey(HOST, "alice@example.org")]);
    const reset = { ...RECORD, jid: "Bob@example.org", additional_data: { allow_reset: "bob" } };
    expect(expiryIndexesOf(HOST, reset)).toEqual([pendingKey(HOST), forUsernameKey(HOST, "bob")]);
  });

  it("keeps every key of a host in one Redis Cluster hash slot ({HOST})", () => {
    for (const key of expiryIndexesOf(HOST, RECORD)) expect(key.startsWith(`invite:{${HOST}}:`)).toBe(true);
  });
});
