import { describe, expect, it } from "vitest";
import type { InviteRecord } from "../../../src/invites/record.js";
import { parseRoomsField, roomsField, roomsOfRecord } from "../../../src/invites/use-rooms.js";

const HOST = "example.org";
const record = (rooms: unknown): InviteRecord => ({
  type: "register",
  jid: HOST,
  allow_registration: true,
  // A signed record holds whatever its maker put there: the reader checks the types itself.
  additional_data: { source: "admin@example.org/web", rooms: rooms as readonly string[] },
  created_at: 1,
  expires: 2,
  reusable: false,
});

describe("the group chats outside circles that a use names", () => {
  it("takes a record's valid room JIDs in order, each once, at most 10; anything else is left out", () => {
    const many = Array.from({ length: 12 }, (_, i) => `room${i}@conference.example.org`);
    expect(
      roomsOfRecord(
        record([" Lounge@Conference.Example.org", 7, "zoe@example.org", "x@y/z", "lounge@conference.example.org"]),
        HOST,
      ),
    ).toEqual(["lounge@conference.example.org"]);
    expect(roomsOfRecord(record(many), HOST)).toEqual(many.slice(0, 10));
    expect(roomsOfRecord(record("lounge@conference.example.org"), HOST)).toEqual([]);
    expect(roomsOfRecord({ ...record([]), additional_data: undefined }, HOST)).toEqual([]);
  });

  it("writes the field as the JIDs joined by one space, and none for no rooms", () => {
    expect(roomsField(["a@rooms.example.net", "b@rooms.example.net"])).toBe("a@rooms.example.net b@rooms.example.net");
    expect(roomsField([])).toBeUndefined();
  });

  it("reads back what it writes, and refuses a malformed field whole", () => {
    const rooms = ["a@rooms.example.net", "b@rooms.example.net"];
    expect(parseRoomsField(roomsField(rooms), HOST)).toEqual(rooms);
    expect(parseRoomsField(undefined, HOST)).toEqual([]);
    for (const bad of ["a@rooms.example.net  b@rooms.example.net", "a@rooms.example.net ", "bob@Example.org", "x"]) {
      expect(parseRoomsField(bad, HOST), bad).toBeUndefined();
    }
  });
});
