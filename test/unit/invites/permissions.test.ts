import { describe, expect, it } from "vitest";
import {
  actorFor,
  mayCreateAccountInvite,
  mayCreateContactInvite,
  mayInviteNewUsers,
  type Policy,
} from "../../../src/invites/permissions.js";

const ADMIN = "admin@example.org";
const REMOTE_ADMIN = "boss@elsewhere.example";
const USER = "alice@example.org";
const STRANGER = "mallory@elsewhere.example";

function policy(allowUserInvites: boolean, allowContactInvites: boolean): Policy {
  return { domain: "example.org", admins: new Set([ADMIN, REMOTE_ADMIN]), allowUserInvites, allowContactInvites };
}

// Every requester kind against both flags: [who, userInvites, contactInvites, contact?, newUsers?, account?]
const table: Array<[string, boolean, boolean, boolean, boolean, boolean]> = [
  [ADMIN, false, true, true, true, true],
  [ADMIN, false, false, true, true, true],
  [ADMIN, true, true, true, true, true],
  [ADMIN, true, false, true, true, true],
  [REMOTE_ADMIN, false, true, false, true, true],
  [REMOTE_ADMIN, true, false, false, true, true],
  [USER, false, true, true, false, false],
  [USER, false, false, false, false, false],
  [USER, true, true, true, true, false],
  [USER, true, false, false, true, false],
  [STRANGER, false, true, false, false, false],
  [STRANGER, true, true, false, false, false],
  [STRANGER, true, false, false, false, false],
];

describe("permission decisions", () => {
  it.each(table)(
    "%s with ALLOW_USER_INVITES=%s, ALLOW_CONTACT_INVITES=%s: contact %s, new users %s, account %s",
    (jid, userInvites, contactInvites, contact, newUsers, account) => {
      const rules = policy(userInvites, contactInvites);
      const actor = actorFor(jid, rules);
      expect(mayCreateContactInvite(actor, rules)).toBe(contact);
      expect(mayInviteNewUsers(actor, rules)).toBe(newUsers);
      expect(mayCreateAccountInvite(actor)).toBe(account);
    },
  );

  it("knows a local user's local part and nobody else's", () => {
    const rules = policy(false, true);
    expect(actorFor(USER, rules).localUser).toBe("alice");
    expect(actorFor(STRANGER, rules).localUser).toBeUndefined();
    expect(actorFor("example.org", rules).localUser).toBeUndefined();
  });

  it("does not mistake a look-alike domain for the local one", () => {
    expect(actorFor("eve@evilexample.org", policy(true, true)).localUser).toBeUndefined();
    expect(actorFor("eve@sub.example.org", policy(true, true)).localUser).toBeUndefined();
  });
});
