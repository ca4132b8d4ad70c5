import { describe, expect, it } from "vitest";
import { failureOf } from "../../../src/registration/in-band-answers.js";

describe("failureOf: what a server's refusal means for the visitor", () => {
  it("reads Prosody's own answers (mod_register_ibr) and our module's", () => {
    expect(failureOf({ condition: "conflict", text: "The requested username already exists." })).toBe("username-taken");
    expect(failureOf({ condition: "not-acceptable", text: "The requested username is invalid." })).toBe(
      "username-invalid",
    );
    expect(failureOf({ condition: "not-acceptable", text: "This invite is for the username pia only" })).toBe(
      "wrong-username",
    );
    expect(failureOf({ condition: "forbidden", text: "This invite has already been used" })).toBe("invite-invalid");
    expect(failureOf({ condition: "item-not-found" })).toBe("invite-invalid");
    expect(failureOf({ condition: "internal-server-error", type: "wait" })).toBe("unavailable");
    expect(failureOf({ condition: "policy-violation", type: "wait", text: "Too many invite checks" })).toBe(
      "throttled",
    );
  });

  it("tells a password policy from a throttle", () => {
    expect(failureOf({ condition: "not-acceptable", text: "Your password is too short" })).toBe("password-refused");
    expect(failureOf({ condition: "policy-violation", type: "modify", text: "Password too weak" })).toBe(
      "password-refused",
    );
  });

  it("takes anything unknown for the server not working, not for the visitor's mistake", () => {
    expect(failureOf({ condition: "service-unavailable" })).toBe("unavailable");
    expect(failureOf({ condition: "undefined-condition" })).toBe("unavailable");
  });
});
