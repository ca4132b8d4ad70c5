/**
 * Group chats outside circles (docs/circles.md, "Group chats on join") where the bot is the registration hook: a
 * private ejabberd 23.01 with its HTTP API and mod_muc at conference.localhost, the bot an admin of the rooms. An
 * account invite that names a room outside circles records its use with `rooms` (docs/storage.md, "Use events"),
 * and the newcomer becomes that room's member with a direct invitation (XEP-0045 §9.3, XEP-0249 §2).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { affiliated, createRoom } from "../../helpers/muc.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { connectUser, type TestUser } from "../../helpers/xmpp-user.js";

const CONFERENCE = { name: "x", xmlns: "jabber:x:conference" };
let ejabberd: EjabberdServer;
let redis: RedisServer;
let bot: TestBot;
let webUrl: string;
const users: TestUser[] = [];

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: true }), startRedis()]);
  for (const name of ["bot", "admin", "ann"]) await ejabberd.register(name, `${name}-password`);
  ({ bot, webUrl } = await startWebBot(
    (web) =>
      startBot({ service: ejabberd.service, redisUrl: redis.botUrl }, "bot", {
        ...web,
        ADMIN_JIDS: "admin@localhost",
        REGISTRATION: "auto",
        EJABBERD_API_URL: ejabberd.apiUrl,
      }),
    "bot",
  ));
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(users.map((user) => user.stop()));
  await bot?.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

const admin = () => actorFor("admin@localhost", bot.app.service.policy);

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

async function register(url: string, username: string): Promise<number> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(url), "create-account");
  return (
    await visitor.submit(form, { username, password: `${username}-password`, password_again: `${username}-password` })
  ).status;
}

describe("on ejabberd, an invite naming a group chat outside circles", () => {
  it("makes the newcomer that room's member and invites them to it; the use event carries the room", async () => {
    const inviter = await logIn("admin");
    const owner = await logIn("ann");
    const room = "lounge@conference.localhost";
    await createRoom(owner, room, ["bot@localhost"]);
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", {
      rooms: [room],
    });
    expect(await register(landingUrl, "lou")).toBe(200);
    const handled = await bot.events.waitFor("use-handled", {
      matches: ({ event }) => event.invitee === "lou@localhost",
    });
    expect(handled.event).toMatchObject({ kind: "registered", inviter: "admin@localhost", rooms: [room] });
    expect(await affiliated(owner, room, "member")).toEqual(["lou@localhost"]);
    // The newcomer's invitation waits offline; it comes once they log in (stored first: see circle-join.test.ts).
    await eventually(async () => expect(await ejabberd.offlineCount("lou")).toBe(1));
    const lou = await logIn("lou");
    const invitation = await lou.nextMessage({ from: "bot@localhost", child: CONFERENCE }, 15_000);
    expect(invitation.getChild(CONFERENCE.name, CONFERENCE.xmlns)?.attrs).toMatchObject({
      jid: room,
      reason: "Your invite included this group chat.",
    });
    await inviter.nextMessage(
      { from: "bot@localhost", body: "lou@localhost accepted your invite and created an account." },
      10_000,
    );
  });

  it("invites once to a room that is also a chat of the invite's circle, and to the other room named", async () => {
    const owner = await logIn("ann");
    const [hall, garden] = ["hall@conference.localhost", "garden@conference.localhost"];
    for (const room of [hall, garden]) await createRoom(owner, room, ["bot@localhost"]);
    await bot.app.circles.create(admin(), "Hall", { members: ["ann@localhost"], rooms: [hall] });
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", {
      circles: ["Hall"],
      rooms: [garden, hall],
    });
    expect(await register(landingUrl, "gus")).toBe(200);
    const handled = await bot.events.waitFor("use-handled", {
      matches: ({ event }) => event.invitee === "gus@localhost",
    });
    expect(handled.event.rooms).toEqual([garden, hall]);
    expect(await affiliated(owner, hall, "member")).toEqual(["gus@localhost"]);
    expect(await affiliated(owner, garden, "member")).toEqual(["gus@localhost"]);
    const gus = await logIn("gus");
    const reasons: Record<string, string> = {};
    for (let i = 0; i < 2; i += 1) {
      const x = (await gus.nextMessage({ from: "bot@localhost", child: CONFERENCE }, 15_000)).getChild(
        CONFERENCE.name,
        CONFERENCE.xmlns,
      );
      reasons[String(x?.attrs.jid)] = String(x?.attrs.reason);
    }
    expect(reasons).toEqual({
      [hall]: "You joined Hall: this is its group chat.",
      [garden]: "Your invite included this group chat.",
    });
  });
});
