/**
 * The bot creates a circle's group chat on ejabberd's mod_muc (conference.localhost; docs/circles.md, XEP-0045
 * §10.1): by chat with a full address and with a name alone (the service found by XEP-0030), and in the ad-hoc edit
 * form; persistent, members-only, the bot its owner, the circle's members its members. A room the bot may not
 * manage is refused with the catalogue's sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { iqRequestOver } from "../../../src/registration/ways.js";
import { startBot, type TestBot } from "../../helpers/bot.js";
import { affiliatedIn, editCircle, roomFacts } from "../../helpers/circle-rooms.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { createRoom } from "../../helpers/muc.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { connectUser, type TestUser } from "../../helpers/xmpp-user.js";

const MUC = "conference.localhost";
let ejabberd: EjabberdServer;
let redis: RedisServer;
let bot: TestBot;
const users: TestUser[] = [];
let admin: TestUser;
let ann: TestUser;

async function logIn(username: string): Promise<TestUser> {
  const user = await connectUser({
    service: ejabberd.service,
    domain: "localhost",
    username,
    password: `${username}-password`,
    timeoutMs: 5_000,
  });
  users.push(user);
  return user;
}

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd(), startRedis()]);
  for (const name of ["bot", "admin", "ann", "ben"]) await ejabberd.register(name, `${name}-password`);
  bot = await startBot({ service: ejabberd.service, redisUrl: redis.botUrl }, "bot", { ADMIN_JIDS: "admin@localhost" });
  [admin, ann] = await Promise.all([logIn("admin"), logIn("ann")]);
  await bot.app.circles.create(adminActor(), "Family", { members: ["ann@localhost", "ben@localhost"] });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(users.map((user) => user.stop()));
  await bot?.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

function adminActor() {
  return actorFor("admin@localhost", bot.app.service.policy);
}

async function ask(body: string): Promise<string> {
  return (await admin.ask(bot.jid, body, 20_000)).getChildText("body") ?? "";
}

const asBot = () => iqRequestOver(bot.app.xmpp);

async function expectCircleChat(room: string, name: string): Promise<void> {
  const facts = await roomFacts(asBot(), room);
  expect(facts.features).toEqual(expect.arrayContaining(["muc_persistent", "muc_membersonly", "muc_hidden"]));
  expect(facts.name).toBe(name);
  expect(await affiliatedIn(asBot(), room, "owner")).toEqual(["bot@localhost"]);
  expect(await affiliatedIn(asBot(), room, "member")).toEqual(["ann@localhost", "ben@localhost"]);
}

describe("on ejabberd, the bot creates a circle's group chat", () => {
  it("creates a room given by its full address, persistent and members-only, the circle's members its members", async () => {
    const room = `kitchen@${MUC}`;
    expect(await ask(`circle add-chat ${room} to Family`)).toBe(
      `Created the group chat ${room} for Family; its 2 members are members of it.`,
    );
    await expectCircleChat(room, "Family");
  });

  it("creates a room named by a name alone on the server's group chat service, found by XEP-0030", async () => {
    expect(await ask("circle add-chat Garden to Family")).toBe(
      `Created the group chat garden@${MUC} for Family; its 2 members are members of it.`,
    );
    await expectCircleChat(`garden@${MUC}`, "Garden");
    expect((await bot.app.circles.find(adminActor(), "Family")).rooms).toEqual([`kitchen@${MUC}`, `garden@${MUC}`]);
  });

  it("refuses a room owned by someone else, saying the bot must be its owner or admin", async () => {
    const room = `anns@${MUC}`;
    await createRoom(ann, room);
    expect(await ask(`circle add-chat ${room} to Family`)).toBe(
      `Sorry, the bot must be the owner or an admin of ${room} to add it to a circle (it manages its members): ask the room's owner to make the bot an owner or admin, or name a new room.`,
    );
    expect((await bot.app.circles.find(adminActor(), "Family")).rooms).not.toContain(room);
  });

  it("creates a room named in the ad-hoc edit form", async () => {
    const circle = await bot.app.circles.find(adminActor(), "Family");
    const note = await editCircle((iq) => admin.request(iq), bot.jid, circle.id, {
      name: "Family",
      members: circle.members,
      rooms: [...circle.rooms, "Hall"],
    });
    expect(note).toMatch(
      /^Saved\. .* Created the group chat hall@conference\.localhost for Family; its 2 members are members of it\.$/u,
    );
    await expectCircleChat(`hall@${MUC}`, "Hall");
  });
});
