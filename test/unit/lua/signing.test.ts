/**
 * The MACs the bot and the Prosody module exchange, made on one side and checked on the other: the relay proof
 * (src/registration/relay-proof.ts → relay_proof_valid), the record tag (src/storage/record.ts → tag_with, verify)
 * and a use event's tag (event_tag → src/storage/event-tag.ts), by prosody/invites_redis_store.lib.lua, and a
 * circle's record and memberships (src/storage/circle-record.ts → prosody/invites_redis_circles.lib.lua), under
 * Prosody's own Lua (test/lua/signing_check.lua).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { relayProof } from "../../../src/registration/relay-proof.js";
import { isMember, memberTag, signCircle } from "../../../src/storage/circle-record.js";
import { EVENT_CONTEXT, eventTag, eventTagValid } from "../../../src/storage/event-tag.js";
import { macOf, signRecord, tokenHash } from "../../../src/storage/record.js";
import { runProsodyLua } from "../../helpers/prosody-lua.js";
import { recordWith } from "../../helpers/raw-records.js";
import { TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEY, TEST_SIGNING_KEYS } from "../../helpers/signing.js";

const CHECK = fileURLToPath(new URL("../../lua/signing_check.lua", import.meta.url));
const PROSODY_DIR = fileURLToPath(new URL("../../../prosody", import.meta.url));
const HOST = "localhost";
const TOKEN = "relayedTokenAAAAAAAAAAAA";
const STRANGER_KEY = "a-key-prosody-does-not-know-0123456789-not-for-production";

type EventFields = Record<string, string | undefined>;

interface SigningCheck {
  proofs: { token: string; proof: string }[];
  tags: { hash: string; record: string; tag: string }[];
  events?: EventFields[];
  circles?: { id: string; raw: string }[];
  members?: { id: string; jid: string; tag: string }[];
}

/** The library's answers, one line each: "proof BOOL" per proof, then "tag OURS BOOL" per tag. */
function luaSide(check: SigningCheck): string[] {
  const input = JSON.stringify({ host: HOST, current: TEST_SIGNING_KEY, old: [TEST_OLD_SIGNING_KEY], ...check });
  return runProsodyLua(CHECK, [PROSODY_DIR], input).trim().split("\n");
}

describe("the relay proof, made by the bot and checked by the module's library", () => {
  it("is accepted with the current or an old key, for its own token and host only", () => {
    const proofs = [
      { token: TOKEN, proof: relayProof(TEST_SIGNING_KEY, HOST, TOKEN) },
      { token: TOKEN, proof: relayProof(TEST_OLD_SIGNING_KEY, HOST, TOKEN) },
      { token: TOKEN, proof: relayProof(STRANGER_KEY, HOST, TOKEN) },
      { token: TOKEN, proof: relayProof(TEST_SIGNING_KEY, HOST, `${TOKEN}B`) },
      { token: TOKEN, proof: relayProof(TEST_SIGNING_KEY, `other.${HOST}`, TOKEN) },
      // The same fields under the record tag's context: a MAC made for one use does not pass for another.
      { token: TOKEN, proof: macOf(TEST_SIGNING_KEY, "xmpp-invite-bot/2", [HOST, TOKEN]).toString("base64url") },
      { token: TOKEN, proof: "" },
    ];
    expect(luaSide({ proofs, tags: [] })).toEqual([
      "proof true",
      "proof true",
      "proof false",
      "proof false",
      "proof false",
      "proof false",
      "proof false",
    ]);
  });

  it("is 43 base64url characters (SHA-256), the same for the same input", () => {
    expect(relayProof(TEST_SIGNING_KEY, HOST, TOKEN)).toMatch(/^[\w-]{43}$/u);
    expect(relayProof(TEST_SIGNING_KEY, HOST, TOKEN)).toBe(relayProof(TEST_SIGNING_KEY, HOST, TOKEN));
  });
});

describe("the record tag, on the same helper", () => {
  it("is made alike on both sides and verified with the current or an old key", () => {
    const hash = tokenHash(TOKEN);
    const signed = (key: string) => ({ hash, ...signRecord({ current: key, old: [] }, HOST, hash, recordWith()) });
    const current = signed(TEST_SIGNING_KEY);
    const tags = [current, signed(TEST_OLD_SIGNING_KEY), signed(STRANGER_KEY)];
    const [ours, old, stranger] = luaSide({ proofs: [], tags });
    expect(ours).toBe(`tag ${current.tag} true`);
    expect(old).toMatch(/ true$/u);
    expect(stranger).toMatch(/ false$/u);
  });
});

describe("a use event's tag, made by the module's library and checked by the bot", () => {
  const registered = {
    kind: "registered",
    inviter: "alice@localhost",
    invitee: "newbie@localhost",
    invite: "AbCd1234",
    at: "1795744800",
  };
  const subscribed = { kind: "subscribed", invitee: "cora@localhost", invite: "wyYe2G5L", at: "1795744801" };

  it("is the same on both sides, with or without an inviter, and verifies for its own host and fields only", () => {
    const [withInviter, without] = luaSide({ proofs: [], tags: [], events: [registered, subscribed] }).map((line) =>
      line.replace(/^event /u, ""),
    );
    expect(withInviter).toBe(eventTag(TEST_SIGNING_KEYS, HOST, registered));
    expect(without).toBe(eventTag(TEST_SIGNING_KEYS, HOST, subscribed));
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...registered, tag: withInviter })).toBe(true);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...subscribed, tag: without })).toBe(true);
    expect(eventTagValid(TEST_SIGNING_KEYS, `other.${HOST}`, { ...registered, tag: withInviter })).toBe(false);
    for (const changed of [
      { inviter: "mallory@localhost" },
      { invitee: "mallory@localhost" },
      { kind: "subscribed" },
      { invite: "AbCd1235" },
      { at: "1795744801" },
    ]) {
      expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...registered, ...changed, tag: withInviter })).toBe(false);
    }
  });

  it("covers the group chats outside circles (`rooms`) on both sides, and a `joined` event's kind", () => {
    const joined = { ...registered, kind: "joined", rooms: "hall@conference.localhost attic@muc.localhost" };
    const [tag] = luaSide({ proofs: [], tags: [], events: [joined] }).map((line) => line.replace(/^event /u, ""));
    expect(tag).toBe(eventTag(TEST_SIGNING_KEYS, HOST, joined));
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...joined, tag })).toBe(true);
    // Without its rooms (or with others) the entry is not the one signed; with none, the tag is the old one.
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...joined, rooms: "hall@conference.localhost", tag })).toBe(false);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...joined, rooms: undefined, tag })).toBe(false);
    expect(eventTag(TEST_SIGNING_KEYS, HOST, { ...registered, rooms: "" })).toBe(
      eventTag(TEST_SIGNING_KEYS, HOST, registered),
    );
  });

  it("covers a held registration's `held` on both sides, after the rooms, and only when there", () => {
    const held = { ...registered, held: "no-login" };
    const withRooms = { ...held, rooms: "hall@conference.localhost", held: "disabled" };
    const [tag, roomsTag] = luaSide({ proofs: [], tags: [], events: [held, withRooms] }).map((line) =>
      line.replace(/^event /u, ""),
    );
    expect(tag).toBe(eventTag(TEST_SIGNING_KEYS, HOST, held));
    expect(roomsTag).toBe(eventTag(TEST_SIGNING_KEYS, HOST, withRooms));
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...held, tag })).toBe(true);
    for (const changed of [{ held: "disabled" }, { held: undefined }, { rooms: "held:no-login" }]) {
      expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...held, ...changed, tag })).toBe(false);
    }
  });

  it("is refused when missing, made with an unknown key, or made for another use of the key", () => {
    const stranger = eventTag({ current: STRANGER_KEY, old: [] }, HOST, registered);
    const old = eventTag({ current: TEST_OLD_SIGNING_KEY, old: [] }, HOST, registered);
    const asRecordTag = macOf(TEST_SIGNING_KEY, "xmpp-invite-bot/2", [HOST, ...Object.values(registered)]);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, registered)).toBe(false);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...registered, tag: stranger })).toBe(false);
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...registered, tag: asRecordTag.toString("base64url") })).toBe(
      false,
    );
    expect(eventTagValid(TEST_SIGNING_KEYS, HOST, { ...registered, tag: old })).toBe(true);
    expect(EVENT_CONTEXT).toBe("xmpp-invite-bot/event/0");
  });
});

describe("a circle's record and memberships, signed by the bot and checked by the module's circles library", () => {
  const circle = { id: "3q2Jt0mQxV9a", name: "Family", rooms: [], createdAt: 1795744800, createdBy: "admin@localhost" };
  const signed = (key: string, host = HOST, of = circle) => signCircle({ current: key, old: [] }, host, of);

  it("is a circle with the current or an old key, for its own id and host only, and well-formed", () => {
    const text = (value: object) => JSON.stringify(value);
    const stored = JSON.parse(signed(TEST_SIGNING_KEY)) as { circle: string; tag: string };
    const circles = [
      { id: circle.id, raw: signed(TEST_SIGNING_KEY) },
      { id: circle.id, raw: signed(TEST_OLD_SIGNING_KEY) },
      { id: circle.id, raw: signed(STRANGER_KEY) },
      { id: circle.id, raw: signed(TEST_SIGNING_KEY, `other.${HOST}`) },
      // Copied under another id: its tag binds the id of its key.
      { id: "AAAAAAAAAAAA", raw: signed(TEST_SIGNING_KEY) },
      // Signed, but the id inside is not the key's; or a field of the wrong type.
      { id: "AAAAAAAAAAAA", raw: signed(TEST_SIGNING_KEY, HOST, { ...circle, id: "AAAAAAAAAAAA", name: 7 as never }) },
      { id: circle.id, raw: text({ circle: stored.circle, tag: stored.tag.replace(/^./u, "x") }) },
      { id: circle.id, raw: "not JSON" },
    ];
    expect(luaSide({ proofs: [], tags: [], circles })).toEqual([
      "circle Family",
      "circle Family",
      "circle -",
      "circle -",
      "circle -",
      "circle -",
      "circle -",
      "circle -",
    ]);
  });

  it("makes the bot's membership tag, one per key, and accepts only a membership of that circle, JID and host", () => {
    const jid = "newbie@localhost";
    const members = [
      { id: circle.id, jid, tag: memberTag(TEST_SIGNING_KEY, HOST, circle.id, jid) },
      { id: circle.id, jid, tag: memberTag(TEST_OLD_SIGNING_KEY, HOST, circle.id, jid) },
      { id: circle.id, jid, tag: memberTag(STRANGER_KEY, HOST, circle.id, jid) },
      { id: circle.id, jid, tag: memberTag(TEST_SIGNING_KEY, HOST, circle.id, "other@localhost") },
      { id: circle.id, jid, tag: memberTag(TEST_SIGNING_KEY, HOST, "AAAAAAAAAAAA", jid) },
      { id: circle.id, jid, tag: memberTag(TEST_SIGNING_KEY, `other.${HOST}`, circle.id, jid) },
    ];
    const lines = luaSide({ proofs: [], tags: [], members });
    const ours = memberTag(TEST_SIGNING_KEY, HOST, circle.id, jid);
    expect(lines).toEqual([
      `member ${ours} 2 true`,
      `member ${ours} 2 true`,
      `member ${ours} 2 false`,
      `member ${ours} 2 false`,
      `member ${ours} 2 false`,
      `member ${ours} 2 false`,
    ]);
    expect(isMember(TEST_SIGNING_KEYS, HOST, circle.id, jid, ours)).toBe(true);
  });
});
