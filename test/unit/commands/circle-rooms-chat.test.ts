import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { RoomSetup } from "../../../src/circles/room-setup.js";
import { CircleService } from "../../../src/circles/service.js";
import { circleChatKeywords } from "../../../src/commands/circle-chat.js";
import { CREATE_CIRCLE_NODE, circleAdhocCommands } from "../../../src/commands/circle-commands.js";
import { contextFactory } from "../../../src/commands/context.js";
import type { Policy } from "../../../src/invites/permissions.js";
import { createLogger } from "../../../src/logger.js";
import { MemoryCircles } from "../../../src/storage/memory-circles.js";

const policy: Policy = {
  domain: "example.org",
  admins: new Set(["admin@example.org"]),
  allowUserInvites: false,
  allowContactInvites: true,
};
const ADMIN = "admin@example.org/desk";

/** Rooms in `owned` exist with the bot as owner; any other is created. */
function world(owned: readonly string[] = []) {
  const setup: RoomSetup = {
    service: async () => "conference.example.org",
    prepare: async (room) => (owned.includes(room) ? "existing" : "created"),
    addMembers: async () => undefined,
  };
  let calls = 0;
  const service = new CircleService({
    store: new MemoryCircles(),
    policy,
    random: (size) => Buffer.alloc(size, ++calls),
    roomSetup: setup,
  });
  const contextFor = contextFactory(policy, createLogger("silent"));
  const circle = circleChatKeywords(service).find((keyword) => keyword.keyword === "circle");
  const say = (text: string) => circle?.run(contextFor(ADMIN), text) ?? Promise.reject(new Error("no keyword"));
  return { service, say, contextFor };
}

describe("circle add-chat, creating the room", () => {
  it("says it created the chat, by address or by a name alone (quoted when it has spaces), and for whom", async () => {
    const { say } = world(["hall@conference.example.org"]);
    await say("create Family");
    await say("add alice@example.org to Family");
    await say("add bob@example.org to Family");
    await say("add carol@example.org to Family");
    expect(await say("add-chat kitchen@conference.example.org to Family")).toBe(
      "Created the group chat kitchen@conference.example.org for Family; its 3 members are members of it.",
    );
    expect(await say('add-chat "Board Games" to Family')).toBe(
      "Created the group chat board-games@conference.example.org for Family; its 3 members are members of it.",
    );
    expect(await say("add-chat hall@conference.example.org to Family")).toBe(
      "Added the group chat hall@conference.example.org to Family; its 3 members are members of it.",
    );
    expect(await say("add-chat Kitchen to Family")).toMatch(/^Added\. Family \(id \S{12}\) now has group chats: /u);
    expect(await say('remove-chat "Board Games" from Family')).toMatch(
      /now has group chats: kitchen@conference\.example\.org, hall@conference\.example\.org\.$/u,
    );
  });

  it("counts one member, and none", async () => {
    const { say } = world();
    await say("create Solo");
    expect(await say("add-chat Den to Solo")).toBe(
      "Created the group chat den@conference.example.org for Solo; the circle has no members yet.",
    );
    await say("add alice@example.org to Solo");
    expect(await say("add-chat Attic to Solo")).toBe(
      "Created the group chat attic@conference.example.org for Solo; its 1 member is a member of it.",
    );
  });

  it("says in the create form's note which chats it created", async () => {
    const { service, contextFor } = world();
    const create = circleAdhocCommands(service).find((command) => command.node === CREATE_CIRCLE_NODE);
    const form = xml(
      "x",
      { xmlns: "jabber:x:data", type: "submit" },
      xml("field", { var: "name" }, xml("value", {}, "Family")),
      xml("field", { var: "members" }, xml("value", {}, "alice@example.org")),
      xml("field", { var: "rooms" }, xml("value", {}, "Kitchen")),
    );
    const result = await create?.run(contextFor(ADMIN), {
      action: "complete",
      firstStage: false,
      form,
      state: undefined,
    });
    expect(result).toMatchObject({
      note: {
        text: expect.stringMatching(
          /^Created\. Family .* Created the group chat kitchen@conference\.example\.org for Family; its 1 member is a member of it\.$/u,
        ),
      },
    });
  });
});
