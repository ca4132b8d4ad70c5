/**
 * An existing account joins a circle through the invite's link where the bot is the registration hook (docs/circles.md,
 * "Joining with an existing account"; src/registration/existing-join.ts): a private ejabberd 23.01 with its HTTP API,
 * the bot an admin there. The account's app sends the bot a subscription request with the invite's token (XEP-0379
 * §3); the bot claims one use, makes the account a member and every member's mutual contact under the circle's name
 * (through the API), records one `joined` use event, and accepts the subscription as usual.
 */
import type { Element } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventsKey } from "../../../src/storage/keys.js";
import { tokenOf } from "../../helpers/adhoc-client.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { connectUser, subscribeWithInvite, type TestUser } from "../../helpers/xmpp-user.js";

const MEMBERS = ["ann", "ben", "cat"];
const BOT = "bot@localhost";
let ejabberd: EjabberdServer;
let redis: RedisServer;
let raw: RawRedis;
let bot: TestBot;
const users: TestUser[] = [];

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: true }), startRedis()]);
  for (const name of ["bot", "admin", "zoe", "leo", ...MEMBERS]) await ejabberd.register(name, `${name}-password`);
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  ({ bot } = await startWebBot(
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
  raw?.destroy();
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

async function eventsFor(invitee: string): Promise<Record<string, string>[]> {
  const entries = await raw.xRange(eventsKey("localhost"), "-", "+");
  return entries.map((entry) => entry.message).filter((message) => message.invitee === invitee);
}

describe("on ejabberd, an existing account joins a circle through the invite's link", () => {
  it("becomes a member and every member's mutual contact, with one `joined` event; the used invite joins nobody else", async () => {
    const circle = await bot.app.circles.create(admin(), "Family", { members: MEMBERS.map((m) => `${m}@localhost`) });
    const { invite } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", {
      circles: ["Family"],
    });
    const token = tokenOf(invite.uri);
    const zoe = await logIn("zoe");

    await subscribeWithInvite(zoe, BOT, token);
    // The subscription is answered as usual.
    await zoe.nextPresence({ from: BOT, type: "subscribed" }, 10_000);
    await eventually(async () =>
      expect(await eventsFor("zoe@localhost")).toEqual([
        expect.objectContaining({ kind: "joined", inviter: "admin@localhost", invitee: "zoe@localhost" }),
      ]),
    );
    expect((await bot.app.circles.find(admin(), circle.id)).members).toContain("zoe@localhost");
    const roster = itemsOf(await zoe.roster());
    for (const member of MEMBERS) expect(roster[`${member}@localhost`]).toBe("both Family");
    for (const member of MEMBERS) {
      expect(itemsOf(await (await logIn(member)).roster())["zoe@localhost"]).toBe("both Family");
    }

    // One use only: a second account opening the same link is answered, and joins nothing.
    const leo = await logIn("leo");
    await subscribeWithInvite(leo, BOT, token);
    await leo.nextPresence({ from: BOT, type: "subscribed" }, 10_000);
    // Nothing to see in XMPP or Redis when nothing happens: the bot's log says it turned the invite down.
    await eventually(async () => expect(bot.logs.join("\n")).toMatch(/join names an invite that cannot be used/u));
    expect((await bot.app.circles.find(admin(), circle.id)).members).not.toContain("leo@localhost");
    expect(await eventsFor("leo@localhost")).toEqual([]);
  });
});
