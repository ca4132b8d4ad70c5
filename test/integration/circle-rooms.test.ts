/**
 * The bot creates a circle's group chat (docs/circles.md, XEP-0045 §10.1) on Prosody with its MUC component
 * (conference.localhost): by chat with a full address and with a name alone (the service found by XEP-0030), and in
 * the ad-hoc edit form. The room is persistent and members-only, the bot its owner, the circle's members its
 * members; a room the bot may not manage is refused with the catalogue's sentence. Runs on Prosody 0.12 and 13.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../src/invites/permissions.js";
import { iqRequestOver } from "../../src/registration/ways.js";
import type { TestBot } from "../helpers/bot.js";
import { affiliatedIn, editCircle, roomFacts } from "../helpers/circle-rooms.js";
import { createRoom } from "../helpers/muc.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { MUC_HOST } from "../helpers/servers.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const ON_13 = prosodyMajorVersion() >= 13;
let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true, muc: true });
  bot = await world.startBot("bot");
  [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
  for (const line of [
    "circle create Family",
    "circle add alice@localhost to Family",
    "circle add bob@localhost to Family",
  ]) {
    await ask(admin, line);
  }
});

afterAll(async () => {
  await world?.stop();
});

async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(bot.jid, body, 20_000)).getChildText("body") ?? "";
}

/** The bot's own view of a room: it owns the rooms it created. */
const asBot = () => iqRequestOver(bot.app.xmpp);

async function expectCircleChat(room: string, name: string): Promise<void> {
  const facts = await roomFacts(asBot(), room);
  expect(facts.features).toEqual(expect.arrayContaining(["muc_persistent", "muc_membersonly", "muc_hidden"]));
  expect(facts.name).toBe(name);
  expect(await affiliatedIn(asBot(), room, "owner")).toEqual(["bot@localhost"]);
  expect(await affiliatedIn(asBot(), room, "member")).toEqual(["alice@localhost", "bob@localhost"]);
}

describe(`the bot creates a circle's group chat, Prosody ${ON_13 ? "13" : "0.12"}`, () => {
  it("creates a room given by its full address, persistent and members-only, the circle's members its members", async () => {
    const room = `kitchen@${MUC_HOST}`;
    expect(await ask(admin, `circle add-chat ${room} to Family`)).toBe(
      `Created the group chat ${room} for Family; its 2 members are members of it.`,
    );
    await expectCircleChat(room, "Family");
    expect((await bot.app.circles.find(adminActor(), "Family")).rooms).toEqual([room]);
  });

  it("creates a room named by a name alone on the server's group chat service, found by XEP-0030", async () => {
    expect(await ask(admin, 'circle add-chat "Board Games" to Family')).toBe(
      `Created the group chat board-games@${MUC_HOST} for Family; its 2 members are members of it.`,
    );
    await expectCircleChat(`board-games@${MUC_HOST}`, "Board Games");
    expect(bot.logs.join("")).toMatch(new RegExp(`Found the server's group chat service .*service=${MUC_HOST}\n`, "u"));
  });

  it("adds a room the bot administers, leaving its owner's affiliation alone", async () => {
    const room = `alices@${MUC_HOST}`;
    await createRoom(alice, room, ["bot@localhost"]);
    expect(await ask(admin, `circle add-chat ${room} to Family`)).toBe(
      `Added the group chat ${room} to Family; its 2 members are members of it.`,
    );
    // Alice, a member of the circle and the room's owner, stays its owner.
    expect(await affiliatedIn(asBot(), room, "owner")).toEqual(["alice@localhost", "bot@localhost"]);
    expect(await affiliatedIn(asBot(), room, "member")).toEqual(["bob@localhost"]);
  });

  it("refuses a room owned by someone else, saying the bot must be its owner or admin", async () => {
    const room = `private@${MUC_HOST}`;
    await createRoom(alice, room);
    expect(await ask(admin, `circle add-chat ${room} to Family`)).toBe(
      `Sorry, the bot must be the owner or an admin of ${room} to add it to a circle (it manages its members): ask the room's owner to make the bot an owner or admin, or name a new room.`,
    );
    expect((await bot.app.circles.find(adminActor(), "Family")).rooms).not.toContain(room);
  });

  it("refuses an address on something that is no group chat service (another host's account)", async () => {
    expect(await ask(admin, "circle add-chat hall@other.localhost to Family")).toBe(
      "Sorry, there is no group chat service at the address of hall@other.localhost: check it (group chats are at an address such as room@conference.localhost).",
    );
  });

  it("creates a room named in the ad-hoc edit form", async () => {
    const circle = await bot.app.circles.find(adminActor(), "Family");
    const note = await editCircle((iq) => admin.request(iq), bot.jid, circle.id, {
      name: "Family",
      members: circle.members,
      rooms: [...circle.rooms, "Hall"],
    });
    expect(note).toMatch(
      new RegExp(
        `^Saved\\. .* Created the group chat hall@${MUC_HOST.replace(".", "\\.")} for Family; its 2 members are members of it\\.$`,
        "u",
      ),
    );
    await expectCircleChat(`hall@${MUC_HOST}`, "Hall");
  });

  it("puts a member added to the circle later on the member lists of all its chats, and takes them off on removal", async () => {
    const { rooms } = await bot.app.circles.find(adminActor(), "Family");
    expect(rooms.length).toBeGreaterThanOrEqual(3);
    expect(await ask(admin, "circle add bot3@localhost to Family")).toMatch(/^Added\./u);
    for (const room of rooms) {
      const listed = [
        ...(await affiliatedIn(asBot(), room, "member")),
        ...(await affiliatedIn(asBot(), room, "owner")),
      ];
      expect(listed, room).toContain("bot3@localhost");
    }
    expect(await ask(admin, "circle remove bot3@localhost from Family")).toMatch(/^Removed\./u);
    for (const room of rooms) expect(await affiliatedIn(asBot(), room, "member"), room).not.toContain("bot3@localhost");
  });
});

function adminActor() {
  return actorFor("admin@localhost", bot.app.service.policy);
}
