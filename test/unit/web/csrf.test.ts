import { describe, expect, it } from "vitest";
import { csrfKey, csrfToken, csrfTokenMatches, fromOwnOrigin, isNonce, newNonce } from "../../../src/web/csrf.js";

const key = csrfKey("k".repeat(32));

describe("form tokens", () => {
  it("match only for the same invite, the same browser nonce and the same key", () => {
    const nonce = newNonce();
    const token = csrfToken(key, "hashA", nonce);
    expect(csrfTokenMatches(key, "hashA", nonce, token)).toBe(true);
    expect(csrfTokenMatches(key, "hashB", nonce, token)).toBe(false);
    expect(csrfTokenMatches(key, "hashA", newNonce(), token)).toBe(false);
    expect(csrfTokenMatches(csrfKey("x".repeat(32)), "hashA", nonce, token)).toBe(false);
    expect(csrfTokenMatches(key, "hashA", nonce, undefined)).toBe(false);
    expect(csrfTokenMatches(key, "hashA", nonce, `${token}x`)).toBe(false);
  });

  it("come from a key that is not the signing key itself", () => {
    expect(key.toString("utf8")).not.toContain("k".repeat(32));
    expect(key).toHaveLength(32);
  });

  it("use nonces of 24 base64url characters", () => {
    expect(isNonce(newNonce())).toBe(true);
    expect(isNonce("short")).toBe(false);
    expect(isNonce(undefined)).toBe(false);
    expect(isNonce("<script>aaaaaaaaaaaaaaaa")).toBe(false);
  });
});

describe("fromOwnOrigin", () => {
  const origin = "https://invite.example.org";
  it("accepts our origin, same-origin fetches and typed requests", () => {
    expect(fromOwnOrigin({ origin, "sec-fetch-site": "same-origin" }, origin)).toBe(true);
    expect(fromOwnOrigin({ "sec-fetch-site": "none" }, origin)).toBe(true);
    expect(fromOwnOrigin({}, origin)).toBe(true);
  });
  it("accepts the 'null' origin of our own no-referrer pages only when Fetch Metadata says same-origin", () => {
    expect(fromOwnOrigin({ origin: "null", "sec-fetch-site": "same-origin" }, origin)).toBe(true);
    expect(fromOwnOrigin({ origin: "null", "sec-fetch-site": "cross-site" }, origin)).toBe(false);
  });
  it("refuses other origins and other sites, even same-site ones", () => {
    expect(fromOwnOrigin({ origin: "https://evil.example" }, origin)).toBe(false);
    expect(fromOwnOrigin({ origin: "null" }, origin)).toBe(false);
    expect(fromOwnOrigin({ "sec-fetch-site": "cross-site" }, origin)).toBe(false);
    expect(fromOwnOrigin({ "sec-fetch-site": "same-site", origin }, origin)).toBe(false);
  });
});
