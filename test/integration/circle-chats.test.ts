/**
 * Group chats on join, on Prosody (docs/circles.md; prosody/invites_redis_bookmarks.lib.lua): an account registered
 * in-band with an invite to a circle and to a group chat outside circles gets a XEP-0402 bookmark with autojoin of
 * each chat in its PEP node urn:xmpp:bookmarks:1, published by our module (no client involved), and becomes a
 * `member` of each (XEP-0045 §9.3). Its use event carries the chats outside circles as `rooms`, under the tag
 * (docs/storage.md, "Use events"), and the bot, reading it, invites the newcomer to each chat (XEP-0249). A bookmark
 * there already is left as it is; a host without PEP registers all the same.
 */
import { createHmac } from "node:crypto";
import { xml } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../src/invites/permissions.js";
import { eventsKey } from "../../src/storage/keys.js";
import { tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { invitesAnswer } from "../helpers/invites-healthy.js";
import { affiliated, createRoom } from "../helpers/muc.js";
import { uniqueName } from "../helpers/names.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { MUC_HOST } from "../helpers/servers.js";
import { runs, sharedScript } from "../helpers/shared-scripts.js";
import { TEST_SIGNING_KEY } from "../helpers/signing.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const HOST = "localhost";
const ON_13 = prosodyMajorVersion() >= 13;
const BOOKMARKS = "urn:xmpp:bookmarks:1";
const PUBSUB = "http://jabber.org/protocol/pubsub";
const CONFERENCE = "jabber:x:conference";
const SETTLE = sharedScript("settle.lua");

/** A use event's tag, written out (docs/storage.md, "Use events"): `rooms` is one more part only when present. */
function expectedTag(fields: Record<string, string>): string {
  const parts = [
    "xmpp-invite-bot/event/0",
    HOST,
    ...["kind", "inviter", "invitee", "invite", "at"].map((n) => fields[n] ?? ""),
  ];
  if (fields.rooms !== undefined && fields.rooms !== "") parts.push(fields.rooms);
  return createHmac("sha256", TEST_SIGNING_KEY).update(parts.join("\n")).digest("base64url");
}

/** The use event of `invitee`, once it is in the stream. */
async function useEventOf(world: Scenario, invitee: string, ms?: number): Promise<Record<string, string>> {
  return eventually(async () => {
    const entries = await world.redis.xRange(eventsKey(HOST), "-", "+");
    const found = entries.find((entry) => entry.message.invitee === invitee);
    if (found === undefined) throw new Error(`no use event of ${invitee} yet`);
    return found.message;
  }, ms);
}

/** The node's configuration as its owner reads it (XEP-0060 §8.2.1): field → value. */
async function nodeConfigOf(user: TestUser): Promise<Record<string, string>> {
  const reply = await user.request(
    xml(
      "iq",
      { type: "get", id: uniqueName("config") },
      xml("pubsub", { xmlns: `${PUBSUB}#owner` }, xml("configure", { node: BOOKMARKS })),
    ),
  );
  const fields = reply.getChild("pubsub")?.getChild("configure")?.getChild("x", "jabber:x:data")?.getChildren("field");
  return Object.fromEntries(
    (fields ?? []).map((field: Element) => [String(field.attrs.var), field.getChildText("value") ?? ""]),
  );
}

interface Bookmark {
  autojoin?: string;
  name?: string;
}

/** XEP-0402 §4 (retrieving all bookmarks): the account's own node, item id → its conference's attributes. */
async function bookmarksOf(user: TestUser): Promise<Record<string, Bookmark>> {
  const reply = await user.request(
    xml(
      "iq",
      { type: "get", id: uniqueName("bookmarks") },
      xml("pubsub", { xmlns: PUBSUB }, xml("items", { node: BOOKMARKS })),
    ),
  );
  const items = reply.getChild("pubsub", PUBSUB)?.getChild("items")?.getChildren("item") ?? [];
  return Object.fromEntries(
    items.map((item: Element) => {
      const { autojoin, name } = (item.getChild("conference", BOOKMARKS)?.attrs ?? {}) as Bookmark;
      return [String(item.attrs.id), { autojoin, ...(name === undefined ? {} : { name }) }];
    }),
  );
}

describe(`group chats on join, Prosody ${ON_13 ? "13" : "0.12"}`, () => {
  let world: Scenario;
  let bot: TestBot;
  let admin: TestUser;

  beforeAll(async () => {
    // mod_offline keeps the bot's invitations (XEP-0249) for the newcomer until they log in.
    // The Redis proxy and the sweep every second: for a join the next run does again (the last test).
    world = await startScenario({
      inviteModule: true,
      muc: true,
      moreModules: ["offline"],
      redisProxy: true,
      moduleConfig: "invites_redis_settle_after = 1",
    });
    bot = await world.startBot("bot");
    admin = await world.login("admin@localhost");
    // Prosody's first calls to Redis on a busy machine may miss their 0.3 s: start once invite checks answer.
    await invitesAnswer(world);
  }, 120_000);

  afterAll(async () => {
    if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
    await world?.stop();
  });

  const actor = () => actorFor("admin@localhost", bot.app.service.policy);

  /** Three new accounts in a new circle whose group chat is `room`: its id and name. */
  async function circleWith(name: string, room: string): Promise<{ id: string; name: string }> {
    const members = [uniqueName("member"), uniqueName("member"), uniqueName("member")];
    for (const member of members) await world.servers.prosody.register(member, HOST, `${member}-password`);
    const circle = await bot.app.circles.create(actor(), name, {
      members: members.map((member) => `${member}@${HOST}`),
      rooms: [room],
    });
    return { id: circle.id, name: circle.name };
  }

  async function inviteTo(circles: readonly string[], rooms: readonly string[]): Promise<string> {
    const { invite } = await bot.app.service.createAccountInvite(actor(), "admin@localhost/web", { circles, rooms });
    return tokenOf(invite.uri);
  }

  /** Registers `name` in-band with the invite; logs in as them (world.login's password). */
  async function registered(token: string, name: string): Promise<TestUser> {
    const { register } = await world.registerWithInvite(token, name, `${name}-password`);
    expect(register.attrs.type).toBe("result");
    return world.login(`${name}@${HOST}`);
  }

  it("bookmarks the circle's chat and the invite's chat, signs rooms into the use event, and the bot invites", async () => {
    const kitchen = `${uniqueName("kitchen")}@${MUC_HOST}`;
    const hall = `${uniqueName("hall")}@${MUC_HOST}`;
    await createRoom(admin, kitchen, ["bot@localhost"]);
    await createRoom(admin, hall, ["bot@localhost"]);
    const { id, name: family } = await circleWith(uniqueName("Family"), kitchen);
    const name = uniqueName("zoe");
    const newcomer = `${name}@${HOST}`;

    const zoe = await registered(await inviteTo([id], [hall]), name);

    const event = await useEventOf(world, newcomer);
    expect(event).toMatchObject({ kind: "registered", invitee: newcomer, inviter: "admin@localhost", rooms: hall });
    expect(event.tag).toBe(expectedTag(event));
    // The use event is written after the join: the bookmarks are there by then.
    expect(await bookmarksOf(zoe)).toEqual({
      [kitchen]: { autojoin: "true", name: family },
      [hall]: { autojoin: "true" },
    });
    // XEP-0402 §5: the node keeps every bookmark, for its owner only, and sends none on presence.
    expect(await nodeConfigOf(zoe)).toMatchObject({
      "pubsub#persist_items": expect.stringMatching(/^(1|true)$/u),
      "pubsub#max_items": "max",
      "pubsub#send_last_published_item": "never",
      "pubsub#access_model": "whitelist",
    });
    // The bot, reading the use event: membership (XEP-0045 §9.3) and a direct invitation (XEP-0249) to each.
    const invited: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const message = await zoe.nextMessage({ from: "bot@localhost", child: { name: "x", xmlns: CONFERENCE } }, 15_000);
      invited.push(String(message.getChild("x", CONFERENCE)?.attrs.jid));
    }
    expect(invited.sort()).toEqual([hall, kitchen].sort());
    // The circle's chat has its members too (the bot adds them when a circle gets a chat).
    expect(await affiliated(admin, kitchen, "member")).toContain(newcomer);
    expect(await affiliated(admin, hall, "member")).toEqual([newcomer]);
  });

  it("leaves a bookmark there alone: a chat both in the circle and on the invite keeps the circle's one", async () => {
    const kitchen = `${uniqueName("kitchen")}@${MUC_HOST}`;
    await createRoom(admin, kitchen, ["bot@localhost"]);
    const { id, name: cooks } = await circleWith(uniqueName("Cooks"), kitchen);
    const name = uniqueName("ann");

    const ann = await registered(await inviteTo([id], [kitchen]), name);

    const event = await useEventOf(world, `${name}@${HOST}`);
    expect(event.rooms).toBe(kitchen);
    expect(event.tag).toBe(expectedTag(event));
    // Bookmarked for the circle first (with its name); the invite's pass found it and published nothing.
    expect(await bookmarksOf(ann)).toEqual({ [kitchen]: { autojoin: "true", name: cooks } });
    expect(world.servers.prosody.logTail(10_000_000)).toContain(
      `${name}@${HOST} has a bookmark of ${kitchen} already: left as it is`,
    );
  });

  it("bookmarks an invite's chats without a circle, and makes the newcomer a member where only the module can", async () => {
    // Only our module can grant it here: the bot is neither owner nor admin of this room.
    const lounge = `${uniqueName("lounge")}@${MUC_HOST}`;
    await createRoom(admin, lounge);
    // A room of another server: bookmarked all the same, nothing to grant here.
    const elsewhere = "patio@conference.example.net";
    const name = uniqueName("max");
    const newcomer = `${name}@${HOST}`;

    const max = await registered(await inviteTo([], [lounge, elsewhere]), name);

    const event = await useEventOf(world, newcomer);
    // In the record's order, joined by one space, under the tag.
    expect(event).toMatchObject({ kind: "registered", rooms: `${lounge} ${elsewhere}` });
    expect(event.tag).toBe(expectedTag(event));
    expect(await bookmarksOf(max)).toEqual({ [lounge]: { autojoin: "true" }, [elsewhere]: { autojoin: "true" } });
    expect(await affiliated(admin, lounge, "member")).toEqual([newcomer]);
  });

  it("writes an event without rooms with the tag it always had", async () => {
    const name = uniqueName("lee");
    const newcomer = `${name}@${HOST}`;
    await registered(await inviteTo([], []), name);
    const event = await useEventOf(world, newcomer);
    expect(event.rooms).toBeUndefined();
    expect(event.tag).toBe(expectedTag(event));
  });

  // Last: it restarts Prosody, which ends every session.
  it("publishes nothing twice when the next run's sweep joins again (Prosody killed before the use was recorded)", async () => {
    const proxy = world.servers.redisProxy;
    if (proxy === undefined) throw new Error("no Redis proxy");
    const kitchen = `${uniqueName("kitchen")}@${MUC_HOST}`;
    const hall = `${uniqueName("hall")}@${MUC_HOST}`;
    await createRoom(admin, kitchen, ["bot@localhost"]);
    await createRoom(admin, hall, ["bot@localhost"]);
    const { id, name: circle } = await circleWith(uniqueName("Again"), kitchen);
    const name = uniqueName("kim");
    const newcomer = `${name}@${HOST}`;
    const token = await inviteTo([id], [hall]);
    // The join is done (bookmarks too); the use's record after it never reaches Redis before Prosody is killed.
    const held = proxy.holdCommandsFrom((command) => runs(SETTLE, command) && command.includes(newcomer));
    const registration = world.registerWithInvite(token, name, `${name}-password`);
    await held;
    expect((await registration).register.attrs.type).toBe("result");
    const prosody = world.servers.prosody;
    if (prosody.pid !== undefined) process.kill(prosody.pid, "SIGKILL");
    await prosody.halt();
    proxy.dropConnections();
    await prosody.start();

    // The sweep records the use and runs the join again, which finds both bookmarks.
    const event = await useEventOf(world, newcomer, 20_000);
    expect(event.tag).toBe(expectedTag(event));
    await eventually(async () => {
      const log = prosody.logTail(10_000_000);
      for (const room of [kitchen, hall]) expect(log).toContain(`${newcomer} has a bookmark of ${room} already`);
    }, 20_000);
    const kim = await world.login(newcomer);
    expect(await bookmarksOf(kim)).toEqual({
      [kitchen]: { autojoin: "true", name: circle },
      [hall]: { autojoin: "true" },
    });
    const uses = await world.redis.xRange(eventsKey(HOST), "-", "+");
    expect(uses.filter((entry) => entry.message.invitee === newcomer)).toHaveLength(1);
  }, 60_000);
});

describe(`group chats on join without PEP, Prosody ${ON_13 ? "13" : "0.12"}`, () => {
  let world: Scenario;
  let bot: TestBot;

  beforeAll(async () => {
    world = await startScenario({ inviteModule: true });
    bot = await world.startBot("bot");
    await invitesAnswer(world);
  }, 120_000);

  afterAll(async () => {
    if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
    await world?.stop();
  });

  it("registers the newcomer, records the rooms, and says once that there is no PEP", async () => {
    const room = `hall@${MUC_HOST}`;
    const { invite } = await bot.app.service.createAccountInvite(
      actorFor("admin@localhost", bot.app.service.policy),
      "admin@localhost/web",
      { rooms: [room], maxUses: 2 },
    );
    const names = [uniqueName("nopep"), uniqueName("nopep")];
    for (const name of names) {
      const { register } = await world.registerWithInvite(tokenOf(invite.uri), name);
      expect(register.attrs.type, register.toString()).toBe("result");
      const event = await useEventOf(world, `${name}@${HOST}`);
      expect(event.rooms).toBe(room);
      expect(event.tag).toBe(expectedTag(event));
    }
    const log = world.servers.prosody.logTail(10_000_000);
    expect(log.split("mod_pep is not loaded").length - 1).toBe(1);
  });
});
