import { describe, expect, it } from "vitest";
import { roomLocalPart } from "../../../src/circles/circle-chats.js";
import type { RoomDetails, RoomSetup } from "../../../src/circles/room-setup.js";
import { CircleService } from "../../../src/circles/service.js";
import { InviteError } from "../../../src/errors.js";
import { actorFor, type Policy } from "../../../src/invites/permissions.js";
import { MemoryCircles } from "../../../src/storage/memory-circles.js";

const policy: Policy = {
  domain: "example.org",
  admins: new Set(["admin@example.org"]),
  allowUserInvites: true,
  allowContactInvites: true,
};
const admin = actorFor("admin@example.org", policy);
const code = (error: unknown) => (error instanceof InviteError ? error.code : error);

/** A group chat service in memory: rooms that exist (with the bot's affiliation), what was asked of it. */
function fakeSetup(existing: Record<string, string> = {}, { noService = false } = {}) {
  const asked: string[] = [];
  const made: Record<string, RoomDetails> = {};
  const setup: RoomSetup = {
    service: async () => (noService ? undefined : "conference.example.org"),
    async prepare(room, details) {
      asked.push(`prepare ${room}`);
      const affiliation = existing[room];
      if (affiliation === undefined) {
        made[room] = details;
        return "created";
      }
      if (affiliation !== "owner" && affiliation !== "admin") {
        throw new InviteError("circle-room-not-owner", { params: { name: room } });
      }
      return "existing";
    },
    async addMembers(room, jids) {
      asked.push(`members ${room}: ${[...jids].sort().join(",")}`);
    },
  };
  return { setup, asked, made };
}

function serviceWith(setup: RoomSetup) {
  let calls = 0;
  return new CircleService({
    store: new MemoryCircles(),
    policy,
    random: (size) => Buffer.alloc(size, ++calls),
    roomSetup: setup,
  });
}

describe("roomLocalPart", () => {
  it("makes a room's local part of a name: lower case, no accents, spaces as dashes, safe characters only", () => {
    expect(roomLocalPart("Kitchen")).toBe("kitchen");
    expect(roomLocalPart("  Chess   Club ")).toBe("chess-club");
    expect(roomLocalPart("Café Noir!")).toBe("cafe-noir");
    expect(roomLocalPart("--a_b.c--")).toBe("a_b.c");
    expect(roomLocalPart("x".repeat(100))).toHaveLength(64);
  });

  it("gives nothing for a name without a safe character", () => {
    for (const name of ["", "   ", "!!!", "日本", "@/"]) expect(roomLocalPart(name)).toBeUndefined();
  });
});

describe("a circle's group chats, created or checked", () => {
  it("creates a room named by a name alone on the MUC service, and makes the circle's members its members", async () => {
    const { setup, asked, made } = fakeSetup();
    const service = serviceWith(setup);
    await service.create(admin, "Family", { members: ["b@example.org", "a@example.org"] });
    const after = await service.addRoom(admin, "Family", "Kitchen");
    expect(after.rooms).toEqual(["kitchen@conference.example.org"]);
    expect(after.roomsAdded).toEqual([{ room: "kitchen@conference.example.org", created: true, members: 2 }]);
    expect(made).toEqual({
      "kitchen@conference.example.org": { title: "Kitchen", description: "Group chat of the circle Family" },
    });
    expect(asked).toEqual([
      "prepare kitchen@conference.example.org",
      "members kitchen@conference.example.org: a@example.org,b@example.org",
    ]);
    // Named again, by its name or its address, it is the same room: nothing more is done.
    expect((await service.addRoom(admin, "Family", "kitchen")).roomsAdded).toEqual([]);
    expect((await service.addRoom(admin, "Family", "Kitchen@Conference.example.org")).rooms).toHaveLength(1);
    expect(asked).toHaveLength(2);
    expect((await service.removeRoom(admin, "Family", "Kitchen")).rooms).toEqual([]);
  });

  it("adds a room the bot owns with a full address, named after the circle if it has to make it", async () => {
    const { setup, made } = fakeSetup({ "hall@muc.example.net": "admin" });
    const service = serviceWith(setup);
    const circle = await service.create(admin, "Chess club", {
      rooms: ["hall@muc.example.net", "board@muc.example.net"],
    });
    expect(circle.roomsAdded).toEqual([
      { room: "hall@muc.example.net", created: false, members: 0 },
      { room: "board@muc.example.net", created: true, members: 0 },
    ]);
    expect(made["board@muc.example.net"]?.title).toBe("Chess club");
  });

  it("changes nothing when a room refuses: a room owned by someone else, in create and in edit", async () => {
    const { setup, asked } = fakeSetup({ "theirs@conference.example.org": "none" });
    const service = serviceWith(setup);
    await expect(service.create(admin, "Family", { rooms: ["theirs@conference.example.org"] })).rejects.toSatisfy(
      (e) => code(e) === "circle-room-not-owner",
    );
    expect(await service.list(admin)).toEqual([]);
    const { id } = await service.create(admin, "Family", { members: ["a@example.org"] });
    await expect(
      service.edit(admin, id, {
        name: "Smiths",
        members: ["a@example.org", "b@example.org"],
        rooms: ["Kitchen", "theirs@conference.example.org"],
      }),
    ).rejects.toSatisfy((e) => code(e) === "circle-room-not-owner");
    expect(await service.find(admin, id)).toMatchObject({ name: "Family", members: ["a@example.org"], rooms: [] });
    // The first room was made ready with the members the circle would have had.
    expect(asked).toContain("members kitchen@conference.example.org: a@example.org,b@example.org");
  });

  it("in an edit, brings only the chats new to the circle, with the members it will have", async () => {
    const { setup, asked } = fakeSetup({ "hall@conference.example.org": "owner" });
    const service = serviceWith(setup);
    const { id } = await service.create(admin, "Family", {
      members: ["a@example.org", "b@example.org"],
      rooms: ["hall@conference.example.org"],
    });
    asked.length = 0;
    const after = await service.edit(admin, id, {
      members: ["a@example.org", "c@example.org"],
      rooms: ["hall@conference.example.org", "Garden"],
    });
    expect(after.rooms).toEqual(["hall@conference.example.org", "garden@conference.example.org"]);
    expect(asked).toEqual([
      "prepare garden@conference.example.org",
      "members garden@conference.example.org: a@example.org,c@example.org",
      // The new member, on the chat the circle had already.
      "members hall@conference.example.org: c@example.org",
    ]);
  });

  it("puts a member added later on the circle's chats, and adds them even when a chat refuses", async () => {
    const { setup, asked } = fakeSetup({
      "hall@conference.example.org": "owner",
      "attic@conference.example.org": "owner",
    });
    const service = serviceWith({
      ...setup,
      async addMembers(room, jids) {
        await setup.addMembers(room, jids);
        if (room.startsWith("attic@")) throw new InviteError("circle-room-not-owner", { params: { name: room } });
      },
    });
    await service.create(admin, "Family", { rooms: ["attic@conference.example.org", "hall@conference.example.org"] });
    asked.length = 0;
    expect(await service.addMember(admin, "Family", "zoe@example.org")).toBe(true);
    expect(asked).toEqual([
      "members attic@conference.example.org: zoe@example.org",
      "members hall@conference.example.org: zoe@example.org",
    ]);
    expect((await service.find(admin, "Family")).members).toEqual(["zoe@example.org"]);
    // A member already: nothing is asked of the chats again.
    asked.length = 0;
    expect(await service.addMember(admin, "Family", "zoe@example.org")).toBe(false);
    expect(asked).toEqual([]);
  });

  it("says so when a name alone names no room, or the server has no group chat service", async () => {
    const service = serviceWith(fakeSetup({}, { noService: true }).setup);
    await service.create(admin, "Family");
    await expect(service.addRoom(admin, "Family", "!!!")).rejects.toSatisfy(
      (e) => code(e) === "circle-room-name-invalid",
    );
    await expect(service.addRoom(admin, "Family", "Kitchen")).rejects.toSatisfy(
      (e) => code(e) === "circle-no-muc-service",
    );
  });
});
