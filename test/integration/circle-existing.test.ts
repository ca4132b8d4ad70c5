/**
 * An existing account joins a circle through the invite's link, on Prosody with our module (docs/circles.md,
 * "Joining with an existing account"; prosody/invites_redis_subscription.lib.lua): the account's app sends the bot
 * a subscription request with the invite's token (XEP-0379 §3), and one use of the invite makes it a member and every
 * member's mutual contact under the circle's name, recorded as one `joined` use event. A used-up invite, a
 * subscriber of another domain and a forged circle grant nothing. Runs on Prosody 0.12 and 13 alike.
 */
import type { Element } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../src/invites/permissions.js";
import { circleMembersKey, eventsKey } from "../../src/storage/keys.js";
import { tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { uniqueName } from "../helpers/names.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { redisCircleForgery } from "../helpers/redis-circle-forgery.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { connectUser, subscribeWithInvite, type TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const BOT = "bot@localhost";
const ROOM = "hall@conference.localhost";

let world: Scenario;
let bot: TestBot;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot");
}, 120_000);

afterAll(async () => {
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await world?.stop();
});

const admin = () => actorFor("admin@localhost", bot.app.service.policy);
const jidOf = (name: string) => `${name}@${HOST}`;

/** New accounts `PREFIXn@localhost`, password `NAME-password` (as world.login expects). */
async function accounts(prefix: string, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, () => uniqueName(prefix));
  for (const name of names) await world.servers.prosody.register(name, HOST, `${name}-password`);
  return names;
}

/** A circle with these accounts as members, made through the bot's service: its id. */
async function circleOf(name: string, members: readonly string[]): Promise<string> {
  return (await bot.app.circles.create(admin(), name, { members: members.map(jidOf) })).id;
}

/** A single-use account invite from the admin to `circles`, and group chats outside them: its token. */
async function inviteTo(circles: readonly string[], rooms: readonly string[] = []): Promise<string> {
  const { invite } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", { circles, rooms });
  return tokenOf(invite.uri);
}

/** jid → "subscription group,group" of `name`'s roster, as a roster get answers it (RFC 6121 §2.1.3). */
async function rosterOf(name: string): Promise<Record<string, string>> {
  const user = await connectUser({
    service: world.servers.service,
    domain: HOST,
    username: name,
    password: `${name}-password`,
  });
  try {
    const query: Element = await user.roster();
    return Object.fromEntries(
      query.getChildren("item").map((item) => [
        item.attrs.jid as string,
        `${item.attrs.subscription} ${item
          .getChildren("group")
          .map((group) => group.text())
          .sort()
          .join(",")}`,
      ]),
    );
  } finally {
    await user.stop();
  }
}

async function membersOf(id: string): Promise<readonly string[]> {
  return (await bot.app.storage.circles.find(id))?.members ?? [];
}

/** The use events of the stream about `invitee`. */
async function eventsFor(invitee: string): Promise<Record<string, string>[]> {
  const entries = await world.redis.xRange(eventsKey(HOST), "-", "+");
  return entries.map((entry) => entry.message).filter((message) => message.invitee === invitee);
}

/**
 * `user` opens the join link: a subscription request to `to` with the token. Resolves once `to` has answered it
 * (`answer`: the bot refuses accounts of other domains), which comes after our module has handled the token: the
 * module runs before the request is delivered.
 */
async function openJoinLink(
  user: TestUser,
  token: string,
  to = BOT,
  answer: "subscribed" | "unsubscribed" = "subscribed",
): Promise<void> {
  await subscribeWithInvite(user, to, token);
  await user.nextPresence({ from: to, type: answer }, 10_000);
}

describe(`an existing account joins a circle through the invite's link, Prosody ${prosodyMajorVersion()}`, () => {
  it("becomes a member and every member's mutual contact, with one `joined` use event naming its rooms", async () => {
    const members = await accounts("member", 3);
    const id = await circleOf(uniqueName("Family"), members);
    const name = (await bot.app.storage.circles.find(id))?.name ?? "";
    const token = await inviteTo([id], [ROOM]);
    const [joinerName = ""] = await accounts("zoe", 1);
    const zoe = await world.login(jidOf(joinerName));

    await openJoinLink(zoe, token);

    await eventually(async () => expect(await membersOf(id)).toEqual([...members, joinerName].map(jidOf).sort()));
    await eventually(async () => expect(await eventsFor(jidOf(joinerName))).toHaveLength(1));
    expect(await eventsFor(jidOf(joinerName))).toEqual([
      expect.objectContaining({ kind: "joined", inviter: "admin@localhost", invitee: jidOf(joinerName), rooms: ROOM }),
    ]);
    // The bot accepted the subscription as from any local user, and asked back.
    await zoe.nextPresence({ from: BOT, type: "subscribe" }, 10_000);
    const roster = await rosterOf(joinerName);
    for (const member of members) expect(roster[jidOf(member)]).toBe(`both ${name}`);
    for (const member of members) expect((await rosterOf(member))[jidOf(joinerName)]).toBe(`both ${name}`);

    // The invite was for one use: a second account opening the same link joins nothing.
    const [lateName = ""] = await accounts("late", 1);
    const late = await world.login(jidOf(lateName));
    await openJoinLink(late, token);
    expect(await membersOf(id)).not.toContain(jidOf(lateName));
    expect(await eventsFor(jidOf(lateName))).toEqual([]);
    expect(Object.keys(await rosterOf(lateName))).toEqual([BOT]);
  });

  it("joins nobody of another domain, and leaves the invite's use for an account of the domain", async () => {
    const [member = ""] = await accounts("kin", 1);
    const id = await circleOf(uniqueName("Kin"), [member]);
    const token = await inviteTo([id]);
    const eve = await world.login("eve@other.localhost");

    await openJoinLink(eve, token, BOT, "unsubscribed");
    expect(await membersOf(id)).toEqual([jidOf(member)]);
    expect(await eventsFor("eve@other.localhost")).toEqual([]);

    const [localName = ""] = await accounts("local", 1);
    await openJoinLink(await world.login(jidOf(localName)), token);
    await eventually(async () => expect(await membersOf(id)).toContain(jidOf(localName)));
  });

  it("grants nothing through a circle whose record does not verify, though the use is taken", async () => {
    const [member = ""] = await accounts("bridge", 1);
    const id = await circleOf(uniqueName("Bridge"), [member]);
    const token = await inviteTo([id]);
    const circle = await bot.app.storage.circles.find(id);
    if (circle === undefined) throw new Error("no circle to forge");
    // Someone with write access to Redis, not the key, rewrites the circle after the invite was signed.
    await redisCircleForgery(() => world.redis, HOST).record({ ...circle, name: "Forged" });
    const [joinerName = ""] = await accounts("forged", 1);

    await openJoinLink(await world.login(jidOf(joinerName)), token);
    await eventually(async () => expect(await eventsFor(jidOf(joinerName))).toHaveLength(1));
    expect(Object.keys(await world.redis.hGetAll(circleMembersKey(HOST, id)))).toEqual([jidOf(member)]);
    expect(await rosterOf(member)).toEqual({});
    expect(Object.keys(await rosterOf(joinerName))).toEqual([BOT]);
  });

  it("through a contact invite to a circle, pre-approves the inviter and joins with the same one use", async () => {
    const id = await circleOf(uniqueName("Club"), ["admin"]);
    const name = (await bot.app.storage.circles.find(id))?.name ?? "";
    const { invite } = await bot.app.service.createContactInvite(admin(), "admin@localhost/web", { circles: [id] });
    const [joinerName = ""] = await accounts("pal", 1);
    const pal = await world.login(jidOf(joinerName));

    // The link of a contact invite goes to the inviter: the module pre-approves, and the circle makes them contacts
    // (which of the two comes first, the roster ends the same).
    await subscribeWithInvite(pal, "admin@localhost", tokenOf(invite.uri));
    await eventually(async () => expect(await membersOf(id)).toEqual(["admin", joinerName].map(jidOf).sort()));
    await eventually(async () =>
      expect(await eventsFor(jidOf(joinerName))).toEqual([
        expect.objectContaining({ kind: "joined", inviter: "admin@localhost" }),
      ]),
    );
    expect((await rosterOf(joinerName))["admin@localhost"]).toBe(`both ${name}`);
    expect((await rosterOf("admin"))[jidOf(joinerName)]).toBe(`both ${name}`);
  });
});
