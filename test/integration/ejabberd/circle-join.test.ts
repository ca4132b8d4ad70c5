/**
 * Joining a circle where the bot is the registration hook (docs/circles.md): a private ejabberd 23.01 with its HTTP
 * API, the bot an admin there. A newcomer who registers through the invite page with an invite to a circle becomes
 * a member and every member's mutual contact, filed under the circle's name on both sides; racers on one reusable
 * invite are each added once.
 */
import type { Element } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { affiliated, createRoom } from "../../helpers/muc.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { connectUser, type TestUser } from "../../helpers/xmpp-user.js";

const MEMBERS = ["ann", "ben", "cat"];
let ejabberd: EjabberdServer;
let redis: RedisServer;
let bot: TestBot;
let webUrl: string;
const users: TestUser[] = [];

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: true }), startRedis()]);
  for (const name of ["bot", "admin", ...MEMBERS]) await ejabberd.register(name, `${name}-password`);
  ({ bot, webUrl } = await startWebBot(
    (web) =>
      startBot({ service: ejabberd.service, redisUrl: redis.botUrl }, "bot", {
        ...web,
        ADMIN_JIDS: "admin@localhost",
        REGISTRATION: "auto",
        EJABBERD_API_URL: ejabberd.apiUrl,
        WEB_VIEWS_PER_MINUTE: "100000",
        WEB_ATTEMPTS_PER_10_MINUTES: "100000",
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

/** jid → "subscription group,group" for every item of a roster. */
function itemsOf(roster: Element): Record<string, string> {
  return Object.fromEntries(
    roster.getChildren("item").map((item) => [
      item.attrs.jid as string,
      `${item.attrs.subscription} ${item
        .getChildren("group")
        .map((group) => group.getText())
        .join(",")}`,
    ]),
  );
}

describe("on ejabberd, joining a circle through an invite", () => {
  it("makes the newcomer a member and every member's mutual contact under the circle's name", async () => {
    const inviter = await logIn("admin");
    const circle = await bot.app.circles.create(admin(), "Family", { members: MEMBERS.map((m) => `${m}@localhost`) });
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", {
      circles: ["Family"],
    });
    expect(await register(landingUrl, "zoe")).toBe(200);
    expect((await bot.app.circles.find(admin(), circle.id)).members).toContain("zoe@localhost");
    const zoe = await logIn("zoe");
    expect(itemsOf(await zoe.roster())).toEqual(
      Object.fromEntries(MEMBERS.map((m) => [`${m}@localhost`, "both Family"])),
    );
    for (const member of MEMBERS) {
      expect(itemsOf(await (await logIn(member)).roster())["zoe@localhost"]).toBe("both Family");
    }
    // The inviter is told which circle the newcomer joined.
    await inviter.nextMessage(
      { from: "bot@localhost", body: "zoe@localhost joined Family through your invite." },
      10_000,
    );
  });

  it("adds each of 20 racers on one reusable invite once, with one roster item on each side", async () => {
    const circle = await bot.app.circles.create(admin(), "Racers", { members: ["ann@localhost"] });
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", {
      circles: [circle.id],
      maxUses: 20,
    });
    const names = Array.from({ length: 20 }, (_, i) => `racer${i}`);
    const statuses = await Promise.all(names.map((name) => register(landingUrl, name)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    const { members } = await bot.app.circles.find(admin(), circle.id);
    expect([...members].sort()).toEqual(["ann@localhost", ...names.map((n) => `${n}@localhost`)].sort());
    const ann = itemsOf(await (await logIn("ann")).roster());
    for (const name of names) expect(ann[`${name}@localhost`]).toBe("both Racers");
    // Racers who joined at the same moment are each other's contacts too.
    const first = await connectUser({
      service: ejabberd.service,
      domain: "localhost",
      username: "racer0",
      password: "racer0-password",
      timeoutMs: 5_000,
    });
    users.push(first);
    expect(Object.keys(itemsOf(await first.roster())).sort()).toEqual(
      ["ann@localhost", ...names.slice(1).map((n) => `${n}@localhost`)].sort(),
    );
  }, 90_000);

  it("makes the newcomer a member of the circle's group chat and invites them to it (XEP-0045, XEP-0249)", async () => {
    const owner = await logIn("ann");
    const room = "kitchen@conference.localhost";
    await createRoom(owner, room, ["bot@localhost"]);
    await bot.app.circles.create(admin(), "Kitchen", { members: ["ann@localhost"], rooms: [room] });
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", {
      circles: ["Kitchen"],
    });
    expect(await register(landingUrl, "cook")).toBe(200);
    // The newcomer's invitation waits offline; it comes once they log in. Logged in the moment it is sent, the
    // newcomer may not get it before their next login (ejabberd stores it while their session starts).
    await eventually(async () => expect(await ejabberd.offlineCount("cook")).toBe(1));
    const cook = await logIn("cook");
    const invitation = await cook.nextMessage(
      { from: "bot@localhost", child: { name: "x", xmlns: "jabber:x:conference" } },
      15_000,
    );
    expect(invitation.getChild("x", "jabber:x:conference")?.attrs).toMatchObject({
      jid: room,
      reason: "You joined Kitchen: this is its group chat.",
    });
    expect(await affiliated(owner, room, "member")).toEqual(["cook@localhost"]);
    // Taken out of the circle, the newcomer is taken off its chat's members too.
    await bot.app.circles.removeMember(admin(), "Kitchen", "cook@localhost");
    expect(await affiliated(owner, room, "member")).toEqual([]);
  });
});
