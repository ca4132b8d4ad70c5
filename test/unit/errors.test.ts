import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE } from "../../src/errors.js";

const STANZA_TYPES = ["auth", "cancel", "continue", "modify", "wait"];
// RFC 6120 §8.3.3 defined conditions.
const CONDITIONS = [
  "bad-request",
  "conflict",
  "feature-not-implemented",
  "forbidden",
  "gone",
  "internal-server-error",
  "item-not-found",
  "jid-malformed",
  "not-acceptable",
  "not-allowed",
  "not-authorized",
  "policy-violation",
  "recipient-unavailable",
  "redirect",
  "registration-required",
  "remote-server-not-found",
  "remote-server-timeout",
  "resource-constraint",
  "service-unavailable",
  "subscription-required",
  "undefined-condition",
  "unexpected-request",
];

describe("the error catalogue", () => {
  it.each(Object.entries(ERROR_CATALOGUE))("maps %s to a stanza error, a text and a chat sentence", (_code, entry) => {
    expect(STANZA_TYPES).toContain(entry.stanza.type);
    expect(CONDITIONS).toContain(entry.stanza.condition);
    expect(entry.text({ host: "example.org" })).toMatch(/\S{3}/u);
    expect(entry.chat({ host: "example.org" })).toMatch(/^[A-Z].*[.!]$/su);
  });

  it("tells a person what to do when the store is down", () => {
    const entry = ERROR_CATALOGUE["store-unavailable"];
    expect(entry.stanza).toEqual({ type: "wait", condition: "internal-server-error" });
    expect(entry.text({ host: "example.org" })).toContain("try again");
  });
});
