/**
 * The error catalogue is complete (as Fastify tests its own): every code has every mapping, and every
 * registration failure is a code. How the web renders each one: test/unit/web/error-pages.test.ts.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { ERROR_CATALOGUE, type ErrorCode, REGISTRATION_FAILURES } from "../../src/errors.js";
import type { RegistrationFailure } from "../../src/registration/registrar.js";

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
const MESSAGE_KINDS = ["invalid", "not-found", "too-many", "unavailable", "error"];
const FORM_FIELDS = ["username", "password", "form"];

describe("the error catalogue", () => {
  it.each(Object.entries(ERROR_CATALOGUE))(
    "maps %s to a stanza error, a text, a chat sentence, an HTTP status and a page",
    (_code, entry) => {
      expect(STANZA_TYPES).toContain(entry.stanza.type);
      expect(CONDITIONS).toContain(entry.stanza.condition);
      expect(entry.text({ host: "example.org" })).toMatch(/\S{3}/u);
      expect(entry.chat({ host: "example.org" })).toMatch(/^[A-Z].*[.!]$/su);
      expect(Number.isInteger(entry.http.status)).toBe(true);
      expect(entry.http.status).toBeGreaterThanOrEqual(400);
      expect(entry.http.status).toBeLessThan(600);
      const { page } = entry.http;
      if ("message" in page) expect(MESSAGE_KINDS).toContain(page.message);
      else if (page.form !== "each") {
        expect(FORM_FIELDS).toContain(page.form);
        expect(page.key).toMatch(/^[a-z_.]+$/u);
      }
    },
  );

  it("has every registration failure a Registrar can answer, each shown on the form", () => {
    expectTypeOf<RegistrationFailure>().toEqualTypeOf<(typeof REGISTRATION_FAILURES)[number]>();
    for (const failure of REGISTRATION_FAILURES) {
      expect(ERROR_CATALOGUE[failure], failure).toBeDefined();
      expect(ERROR_CATALOGUE[failure].http.page, failure).toHaveProperty("form");
    }
  });

  it("keeps the statuses the web pages have always answered with", () => {
    const statuses: Partial<Record<ErrorCode, number>> = {
      "username-taken": 409,
      "username-invalid": 400,
      "wrong-username": 400,
      "password-refused": 400,
      "invite-invalid": 410,
      throttled: 429,
      unavailable: 503,
      "invite-not-usable": 404,
      "store-unavailable": 503,
      "too-many-requests": 429,
      "cross-site-post": 403,
      "form-expired": 403,
      "form-invalid": 400,
      "page-not-found": 404,
      "method-not-allowed": 405,
      "headers-too-large": 431,
      internal: 500,
    };
    for (const [code, status] of Object.entries(statuses)) {
      expect(ERROR_CATALOGUE[code as ErrorCode].http.status, code).toBe(status);
    }
  });

  it("tells a person what to do when the store is down", () => {
    const entry = ERROR_CATALOGUE["store-unavailable"];
    expect(entry.stanza).toEqual({ type: "wait", condition: "internal-server-error" });
    expect(entry.text({ host: "example.org" })).toContain("try again");
    expect(entry.http).toEqual({ status: 503, page: { message: "unavailable" } });
  });
});
