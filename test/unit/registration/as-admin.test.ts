import { describe, expect, it } from "vitest";
import { adminFailureOf } from "../../../src/registration/admin-refusals.js";

describe("adminFailureOf: both XEP-0133 answer styles", () => {
  it("reads ejabberd's stanza errors", () => {
    expect(adminFailureOf({ ok: false, condition: "conflict", text: undefined })).toBe("username-taken");
    expect(adminFailureOf({ ok: false, condition: "jid-malformed", text: undefined })).toBe("username-invalid");
    expect(adminFailureOf({ ok: false, condition: "forbidden", text: "Access denied by service policy" })).toBe(
      "unavailable",
    );
    expect(adminFailureOf({ ok: false, condition: "item-not-found", text: "No hook has processed this command" })).toBe(
      "unavailable",
    );
  });

  it("reads Prosody's and Openfire's completed commands with an error note", () => {
    expect(adminFailureOf({ ok: false, condition: "note", text: "Account already exists" })).toBe("username-taken");
    expect(adminFailureOf({ ok: false, condition: "note", text: "User already exists" })).toBe("username-taken");
    expect(adminFailureOf({ ok: false, condition: "note", text: "Invalid JID" })).toBe("username-invalid");
    expect(adminFailureOf({ ok: false, condition: "note", text: "Password too weak" })).toBe("password-refused");
    expect(adminFailureOf({ ok: false, condition: "note", text: "Something else" })).toBe("unavailable");
  });
});
