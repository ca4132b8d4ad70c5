/** Signed circles and memberships (src/storage/circle-record.ts; docs/storage.md, "The circle's tags"). */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Circle } from "../../../src/circles/circle.js";
import { isMember, memberTag, signCircle, verifiedMembers, verifyCircle } from "../../../src/storage/circle-record.js";
import { TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEY, TEST_SIGNING_KEYS } from "../../helpers/signing.js";

const HOST = "example.org";
const CIRCLE: Circle = {
  id: "AbCdEfGh_-12",
  name: "Family",
  rooms: ["family@rooms.example.org"],
  createdAt: 1_790_000_000,
  createdBy: "admin@example.org",
};
const OLD_ONLY = { current: TEST_OLD_SIGNING_KEY, old: [] };

/** The formula of docs/storage.md, written out apart from the code. */
const mac = (key: string, text: string) => createHmac("sha256", key).update(text).digest("base64url");

describe("a circle's record", () => {
  it("is the circle's JSON text and its tag, as docs/storage.md spells them", () => {
    const stored = JSON.parse(signCircle(TEST_SIGNING_KEYS, HOST, CIRCLE));
    expect(JSON.parse(stored.circle)).toEqual(CIRCLE);
    expect(stored.tag).toBe(
      mac(TEST_SIGNING_KEY, `xmpp-invite-bot/circle/1\n${HOST}\n${CIRCLE.id}\n${stored.circle as string}`),
    );
  });

  it("keeps a circle's fields only", () => {
    const raw = signCircle(TEST_SIGNING_KEYS, HOST, { ...CIRCLE, members: ["x@example.org"] } as Circle);
    expect(Object.keys(JSON.parse(JSON.parse(raw).circle))).toEqual(["id", "name", "rooms", "createdAt", "createdBy"]);
  });

  it("verifies with the current key and an old one, for its own host and id only", () => {
    expect(verifyCircle(TEST_SIGNING_KEYS, HOST, CIRCLE.id, signCircle(TEST_SIGNING_KEYS, HOST, CIRCLE))).toEqual(
      CIRCLE,
    );
    expect(verifyCircle(TEST_SIGNING_KEYS, HOST, CIRCLE.id, signCircle(OLD_ONLY, HOST, CIRCLE))).toEqual(CIRCLE);
    const signed = signCircle(TEST_SIGNING_KEYS, HOST, CIRCLE);
    expect(verifyCircle(OLD_ONLY, HOST, CIRCLE.id, signed)).toBeUndefined();
    expect(verifyCircle(TEST_SIGNING_KEYS, "other.org", CIRCLE.id, signed)).toBeUndefined();
    expect(verifyCircle(TEST_SIGNING_KEYS, HOST, "AbCdEfGh_-13", signed)).toBeUndefined();
  });

  it("is no circle when it is absent, malformed, of the wrong types, or names another id", () => {
    const keys = TEST_SIGNING_KEYS;
    const signedText = (text: string) => {
      const tag = mac(TEST_SIGNING_KEY, `xmpp-invite-bot/circle/1\n${HOST}\n${CIRCLE.id}\n${text}`);
      return JSON.stringify({ circle: text, tag });
    };
    for (const raw of [null, "", "null", "[]", "{}", '{"circle":1,"tag":"x"}', signedText("not json")]) {
      expect(verifyCircle(keys, HOST, CIRCLE.id, raw)).toBeUndefined();
    }
    for (const wrong of [{ rooms: "a@b" }, { rooms: [1] }, { createdAt: "1" }, { name: null }, { id: "other" }]) {
      expect(verifyCircle(keys, HOST, CIRCLE.id, signedText(JSON.stringify({ ...CIRCLE, ...wrong })))).toBeUndefined();
    }
  });
});

describe("a membership's tag", () => {
  const jid = "alice@example.org";

  it("is the MAC of docs/storage.md, of its own context", () => {
    expect(memberTag(TEST_SIGNING_KEY, HOST, CIRCLE.id, jid)).toBe(
      mac(TEST_SIGNING_KEY, `xmpp-invite-bot/circle-member/1\n${HOST}\n${CIRCLE.id}\n${jid}`),
    );
  });

  it("makes a member of its own circle, host and JID only, with the current or an old key", () => {
    const tag = memberTag(TEST_SIGNING_KEY, HOST, CIRCLE.id, jid);
    expect(isMember(TEST_SIGNING_KEYS, HOST, CIRCLE.id, jid, tag)).toBe(true);
    expect(
      isMember(TEST_SIGNING_KEYS, HOST, CIRCLE.id, jid, memberTag(TEST_OLD_SIGNING_KEY, HOST, CIRCLE.id, jid)),
    ).toBe(true);
    expect(isMember(TEST_SIGNING_KEYS, "other.org", CIRCLE.id, jid, tag)).toBe(false);
    expect(isMember(TEST_SIGNING_KEYS, HOST, "AbCdEfGh_-13", jid, tag)).toBe(false);
    expect(isMember(TEST_SIGNING_KEYS, HOST, CIRCLE.id, "bob@example.org", tag)).toBe(false);
    expect(isMember(TEST_SIGNING_KEYS, HOST, CIRCLE.id, jid, "")).toBe(false);
  });

  it("sorts out the members of a hash: only fields whose tag verifies, sorted", () => {
    const tagOf = (member: string) => memberTag(TEST_SIGNING_KEY, HOST, CIRCLE.id, member);
    const fields = {
      "carol@example.org": tagOf("carol@example.org"),
      "mallory@example.org": tagOf("alice@example.org"),
      "alice@example.org": tagOf("alice@example.org"),
      "eve@example.org": "forged",
    };
    expect(verifiedMembers(TEST_SIGNING_KEYS, HOST, CIRCLE.id, fields)).toEqual([
      "alice@example.org",
      "carol@example.org",
    ]);
  });
});
