import { describe, expect, it } from "vitest";
import type { CircleEvents } from "../../../src/circles/circle-events.js";
import { CircleService } from "../../../src/circles/service.js";
import { InviteError } from "../../../src/errors.js";
import { Events } from "../../../src/events.js";
import { actorFor, type Policy } from "../../../src/invites/permissions.js";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { MemoryCircles } from "../../../src/storage/memory-circles.js";

const NOW_MS = Date.UTC(2026, 11, 5, 2, 0, 0);
const policy: Policy = {
  domain: "example.org",
  admins: new Set(["admin@example.org"]),
  allowUserInvites: true,
  allowContactInvites: true,
};
const admin = actorFor("admin@example.org", policy);
const alice = actorFor("alice@example.org", policy);

function setup(store = new MemoryCircles()) {
  const events = new Events<CircleEvents>();
  const changes: string[] = [];
  events.on("circle-changed", ({ change }) => changes.push(change));
  let calls = 0;
  const service = new CircleService({
    store,
    policy,
    clock: () => NOW_MS,
    random: (size) => Buffer.alloc(size, ++calls),
    events,
  });
  return { service, store, changes };
}

const code = (error: unknown) => (error instanceof InviteError ? error.code : error);

describe("CircleService", () => {
  it("creates a circle with members and chats, normalised, and finds it by id or by name without case", async () => {
    const { service, changes } = setup();
    const made = await service.create(admin, "  Family   Smith ", {
      members: ["Bob@Example.org", "alice@example.org", "bob@example.org"],
      rooms: ["Kitchen@Conference.Example.org"],
    });
    expect(made).toMatchObject({
      name: "Family Smith",
      members: ["alice@example.org", "bob@example.org"],
      rooms: ["kitchen@conference.example.org"],
      createdAt: NOW_MS / 1000,
      createdBy: "admin@example.org",
    });
    expect(made.id).toMatch(/^[A-Za-z0-9_-]{12}$/u);
    // Without a group chat service to speak to, the chats are only named.
    const { roomsAdded, ...circle } = made;
    expect(roomsAdded).toEqual([]);
    expect(await service.find(admin, made.id)).toEqual(circle);
    expect(await service.find(admin, "family smith")).toEqual(circle);
    expect(changes).toEqual(["created"]);
  });

  it("lets admins alone manage circles; others see only the circles they are in", async () => {
    const { service } = setup();
    await service.create(admin, "Family", { members: ["alice@example.org"] });
    await service.create(admin, "Work");
    await expect(service.create(alice, "Mine")).rejects.toSatisfy((e) => code(e) === "circles-admins-only");
    await expect(service.addMember(alice, "Family", "eve@example.org")).rejects.toSatisfy(
      (e) => code(e) === "circles-admins-only",
    );
    expect((await service.list(alice)).map((c) => c.name)).toEqual(["Family"]);
    expect((await service.list(admin)).map((c) => c.name)).toEqual(["Family", "Work"]);
    await expect(service.find(alice, "Work")).rejects.toSatisfy((e) => code(e) === "circle-not-found");
  });

  it("refuses bad names, taken names, members of other domains and rooms that are not rooms, changing nothing", async () => {
    const { service, store } = setup();
    await service.create(admin, "Family");
    for (const [attempt, expected] of [
      [() => service.create(admin, "   "), "circle-name-invalid"],
      [() => service.create(admin, "x".repeat(65)), "circle-name-invalid"],
      [() => service.create(admin, "Evil\u202Eeman"), "circle-name-invalid"],
      [() => service.create(admin, "FAMILY"), "circle-name-taken"],
      [() => service.create(admin, "Other", { members: ["mallory@evil.example"] }), "circle-member-not-local"],
      [() => service.create(admin, "Other", { rooms: ["bob@example.org"] }), "circle-room-invalid"],
      [() => service.create(admin, "Other", { rooms: ["not@a@jid"] }), "circle-room-invalid"],
      [() => service.create(admin, "Other", { rooms: ["Kitchen"] }), "circle-no-muc-service"],
      [() => service.addMember(admin, "Nobody", "bob@example.org"), "circle-not-found"],
    ] as const) {
      await expect(attempt()).rejects.toSatisfy((e) => code(e) === expected);
    }
    expect((await store.list()).map((c) => c.name)).toEqual(["Family"]);
  });

  it("renames, adds and removes members and chats, and deletes, saying what changed", async () => {
    const { service, changes } = setup();
    const { id } = await service.create(admin, "Family");
    expect(await service.addMember(admin, "family", "bob@example.org")).toBe(true);
    expect(await service.addMember(admin, id, "bob@example.org")).toBe(false);
    await service.addRoom(admin, id, "kitchen@conference.example.org");
    await service.rename(admin, id, "Smiths");
    expect(await service.find(admin, "smiths")).toMatchObject({
      members: ["bob@example.org"],
      rooms: ["kitchen@conference.example.org"],
    });
    await service.removeRoom(admin, "Smiths", "kitchen@conference.example.org");
    expect(await service.removeMember(admin, "Smiths", "bob@example.org")).toBe(true);
    expect(await service.removeMember(admin, "Smiths", "bob@example.org")).toBe(false);
    await service.delete(admin, "Smiths");
    expect(await service.list(admin)).toEqual([]);
    expect(changes).toEqual([
      "created",
      "member-added",
      "rooms-changed",
      "renamed",
      "rooms-changed",
      "member-removed",
      "deleted",
    ]);
  });

  it("edits a circle in one request, checking everything before changing anything", async () => {
    const { service } = setup();
    const { id } = await service.create(admin, "Family", { members: ["a@example.org", "b@example.org"] });
    await expect(
      service.edit(admin, id, { name: "Smiths", members: ["a@example.org", "c@elsewhere.org"] }),
    ).rejects.toSatisfy((e) => code(e) === "circle-member-not-local");
    expect(await service.find(admin, id)).toMatchObject({
      name: "Family",
      members: ["a@example.org", "b@example.org"],
    });
    const edited = await service.edit(admin, id, {
      name: "Smiths",
      members: ["a@example.org", "C@example.org"],
      rooms: ["hall@conference.example.org"],
    });
    expect(edited).toMatchObject({
      name: "Smiths",
      members: ["a@example.org", "c@example.org"],
      rooms: ["hall@conference.example.org"],
    });
  });

  it("says when two circles answer to one name, and takes the id instead", async () => {
    const store = new MemoryCircles();
    const { service } = setup(store);
    const first = await service.create(admin, "Family");
    // Another instance (or an older one) made a second "family" at the same moment.
    await store.create({ ...first, id: "AAAAAAAAAAAA", name: "family", rooms: [] });
    await expect(service.find(admin, "Family")).rejects.toSatisfy((e) => code(e) === "circle-ambiguous");
    expect((await service.find(admin, first.id)).name).toBe("Family");
  });

  it("turns a store that does not answer into store-unavailable", async () => {
    const store = new MemoryCircles();
    store.list = () => Promise.reject(new StoreUnavailableError("away"));
    const { service } = setup(store);
    await expect(service.list(admin)).rejects.toSatisfy((e) => code(e) === "store-unavailable");
  });

  it("chooses circles for an invite: admins any, users only their own, each once, by id", async () => {
    const { service } = setup();
    const family = await service.create(admin, "Family", { members: ["alice@example.org"] });
    const work = await service.create(admin, "Work");
    expect(await service.idsFor(admin, ["work", family.id, "FAMILY"])).toEqual([work.id, family.id]);
    expect(await service.idsFor(alice, ["Family"])).toEqual([family.id]);
    await expect(service.idsFor(alice, ["Work"])).rejects.toSatisfy((e) => code(e) === "circle-not-found");
  });

  it("takes a member who leaves off the circle's group chats, in a removal and in an edit", async () => {
    const left: string[] = [];
    const service = new CircleService({
      store: new MemoryCircles(),
      policy,
      random: (size) => Buffer.alloc(size, 9),
      rooms: { leave: async (rooms, jid) => void left.push(`${jid} leaves ${rooms.join(",")}`) },
    });
    const { id } = await service.create(admin, "Family", {
      members: ["a@example.org", "b@example.org"],
      rooms: ["hall@conference.example.org"],
    });
    await service.removeMember(admin, id, "a@example.org");
    await service.removeMember(admin, id, "a@example.org");
    await service.edit(admin, id, { members: [] });
    expect(left).toEqual([
      "a@example.org leaves hall@conference.example.org",
      "b@example.org leaves hall@conference.example.org",
    ]);
  });
});
