import { describe, expect, it } from "vitest";
import { eventTag, eventTagValid } from "../../../src/storage/event-tag.js";
import { TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEY, TEST_SIGNING_KEYS } from "../../helpers/signing.js";

const HOST = "example.org";
const KEYS = { current: TEST_SIGNING_KEY, old: [] };

// Known vectors: base64url(HMAC-SHA256(TEST_SIGNING_KEY, "xmpp-invite-bot/event/0\nexample.org\n…")), computed
// outside this code (docs/storage.md, "The event's tag"). The first is the tag an entry without rooms always had.
const REGISTERED = {
  kind: "registered",
  inviter: "alice@example.org",
  invitee: "bob@example.org",
  invite: "AbCd1234",
  at: "1790000000",
};
const REGISTERED_TAG = "hout4jHDPE3snOFwHYkGnFU8PvdxOrYGLve5ryav7Rw";
// No inviter (""), and rooms as the 7th part.
const JOINED = {
  kind: "joined",
  invitee: "zoe@example.org",
  invite: "AbCd1234",
  at: "1790000000",
  rooms: "lounge@conference.example.org chess@rooms.example.net",
};
const JOINED_TAG = "TrpzglvXe-QpjOBKCCpIz-JHXHz72VRVWx-ad9wyzXc";

describe("the use event's tag", () => {
  it("keeps the tag an entry without rooms always had (older modules and bots stay compatible)", () => {
    expect(eventTag(KEYS, HOST, REGISTERED)).toBe(REGISTERED_TAG);
    // An empty rooms field is no rooms: the same tag.
    expect(eventTag(KEYS, HOST, { ...REGISTERED, rooms: "" })).toBe(REGISTERED_TAG);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...REGISTERED, tag: REGISTERED_TAG })).toBe(true);
  });

  it("covers rooms as one more part after `at` when the entry has them", () => {
    expect(eventTag(KEYS, HOST, JOINED)).toBe(JOINED_TAG);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...JOINED, tag: JOINED_TAG })).toBe(true);
  });

  it("does not verify once rooms are added, removed, reordered or changed", () => {
    const { rooms: _, ...withoutRooms } = JOINED;
    for (const changed of [
      withoutRooms,
      { ...JOINED, rooms: "chess@rooms.example.net lounge@conference.example.org" },
      { ...JOINED, rooms: "lounge@conference.example.org" },
      { ...JOINED, rooms: `${JOINED.rooms} evil@rooms.example.net` },
      { ...JOINED, kind: "registered" },
    ]) {
      expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...changed, tag: JOINED_TAG }), JSON.stringify(changed)).toBe(
        false,
      );
    }
    expect(
      eventTagValid(TEST_SIGNING_KEYS, HOST, { ...REGISTERED, rooms: "x@rooms.example.net", tag: REGISTERED_TAG }),
    ).toBe(false);
  });

  it("verifies rooms signed with an old key, not with a stranger's", () => {
    const old = eventTag({ current: TEST_OLD_SIGNING_KEY, old: [] }, HOST, JOINED);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...JOINED, tag: old })).toBe(true);
    const stranger = eventTag({ current: "a-stranger's-key-0123456789abcdef-nope", old: [] }, HOST, JOINED);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...JOINED, tag: stranger })).toBe(false);
  });
});
