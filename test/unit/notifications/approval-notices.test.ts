/**
 * Use events of held registrations (APPROVE_USER_INVITED): read from the stream (src/notifications/use-events.ts)
 * and told to every admin, NOTIFY_ADMINS or not, and to the inviter (approval-notices.ts).
 */
import { describe, expect, it } from "vitest";
import { parseUseEvent, recipients } from "../../../src/notifications/use-events.js";

const HOST = "example.org";
const FIELDS = {
  kind: "registered",
  inviter: "alice@example.org",
  invitee: "newbie@example.org",
  invite: "AbCd1234",
  at: "1795744800",
};
const ADMINS = new Set(["admin@example.org", "boss@other.example"]);

describe("a held registration's use event", () => {
  it("is read with how it is held, and only as a registration held one of the known ways", () => {
    expect(parseUseEvent("1-0", { ...FIELDS, held: "disabled" }, HOST)?.held).toBe("disabled");
    expect(parseUseEvent("1-0", FIELDS, HOST)?.held).toBeUndefined();
    expect(parseUseEvent("1-0", { ...FIELDS, held: "frozen" }, HOST)).toBeUndefined();
    expect(parseUseEvent("1-0", { ...FIELDS, kind: "joined", held: "disabled" }, HOST)).toBeUndefined();
  });

  it("asks every admin, even without NOTIFY_ADMINS, and tells the inviter it waits", () => {
    const event = parseUseEvent("1-0", { ...FIELDS, held: "pending" }, HOST);
    if (event === undefined) throw new Error("not read");
    const told = recipients(event, { admins: ADMINS, notifyAdmins: false, host: HOST });
    expect([...told.keys()]).toEqual(["admin@example.org", "boss@other.example", "alice@example.org"]);
    expect(told.get("admin@example.org")).toBe(
      "newbie@example.org registered through alice@example.org's invite (AbCd1234) and waits for approval. " +
        'The account is made only if approved.\nSay "approve newbie" to let them in, or "reject newbie" to remove the account.',
    );
    expect(told.get("alice@example.org")).toBe(
      "newbie@example.org registered with your invite. An administrator will look at the new account first; you will hear when they have.",
    );
    // Not held: admins only with NOTIFY_ADMINS, as before.
    const plain = parseUseEvent("1-0", FIELDS, HOST);
    if (plain === undefined) throw new Error("not read");
    expect([...recipients(plain, { admins: ADMINS, notifyAdmins: false, host: HOST }).keys()]).toEqual([
      "alice@example.org",
    ]);
  });
});
