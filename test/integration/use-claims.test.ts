/**
 * A use read by a bot instance that never came back is told once by another (issue 24, "Several instances"): the
 * entry stays pending for the vanished instance's consumer until it has been idle longer than CLAIM_IDLE_MS, then
 * a live instance claims it (XAUTOCLAIM) and tells the inviter; the vanished instance, back under its old name,
 * finds nothing left to tell. Real Prosody with our module, real Redis as deployed, two instances of the real bot.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { CLAIM_IDLE_MS } from "../../src/notifications/stream-reader.js";
import { eventsKey } from "../../src/storage/keys.js";
import { EVENT_GROUP } from "../../src/storage/redis-events.js";
import { createInviteUri, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { registerWithToken } from "../helpers/ibr-client.js";
import { uniqueName } from "../helpers/names.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const KEY = eventsKey("localhost");
const ENV = { ALLOW_USER_INVITES: "true" };
let world: Scenario;
let alice: TestUser;
const bots: TestBot[] = [];

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  [alice] = await world.loginAll(["alice@localhost"]);
});

afterAll(async () => {
  await Promise.allSettled(bots.map((bot) => bot.stop()));
  await world?.stop();
});

async function startInstance(resource: string): Promise<TestBot> {
  const bot = await world.startBot("bot", { ...ENV, XMPP_RESOURCE: resource });
  bots.push(bot);
  return bot;
}

/** An invite of alice's, made by `bot`. */
async function inviteOfAlice(bot: TestBot): Promise<string> {
  return tokenOf(await createInviteUri(alice, bot.jid, CONTACT));
}

/** Registers a new account with the invite; Prosody's module adds the use event. */
async function use(token: string): Promise<string> {
  const username = uniqueName("newbie");
  const { register } = await registerWithToken({
    port: world.servers.prosody.port,
    domain: "localhost",
    token,
    username,
    password: "pw-123456",
  });
  expect(register.attrs.type).toBe("result");
  return `${username}@localhost`;
}

/** The bot's chat messages alice got that name `invitee`, once every entry is told and acknowledged. */
async function noticesAbout(invitee: string): Promise<string[]> {
  await eventually(async () => {
    const [group] = (await world.redis.xInfoGroups(KEY)) as unknown as { pending: number; lag: number | null }[];
    expect(group).toMatchObject({ pending: 0, lag: 0 });
  });
  // A chat round trip with each live instance: its answer comes after any notice it sent before.
  for (const bot of bots.filter((each) => each.app.xmpp.status === "online")) {
    await alice.sendChat(bot.jid, "help");
    await alice.nextMessage({ from: bot.jid, body: /^I create invites for localhost/u }, 10_000);
  }
  return alice.received
    .filter((s) => s.is("message") && (s.attrs.from ?? "").startsWith("bot@localhost/"))
    .map((s) => s.getChildText("body") ?? "")
    .filter((body) => body.includes(invitee));
}

it("tells once a use that a vanished instance read and never acknowledged, through another instance", async () => {
  const first = await startInstance("a");
  const token = await inviteOfAlice(first);
  // Its consumer group made (the first thing an instance does on the stream), it leaves.
  await eventually(async () => expect(await world.redis.xInfoGroups(KEY)).toHaveLength(1));
  await first.stop();
  const invitee = await use(token);
  // Instance "a" read the entry and died before XACK (its process gone: nothing of it runs any more), an hour ago
  // as XAUTOCLAIM measures it (XCLAIM … IDLE sets the time since the entry was last delivered).
  const read = (await world.redis.xReadGroup(EVENT_GROUP, "a", { key: KEY, id: ">" }, { COUNT: 10 })) as unknown as {
    messages: { id: string }[];
  }[];
  const ids = read.flatMap((stream) => stream.messages.map((message) => message.id));
  expect(ids).toHaveLength(1);
  await world.redis.xClaim(KEY, EVENT_GROUP, "a", 0, ids, { IDLE: 2 * CLAIM_IDLE_MS });

  const other = await startInstance("b");
  const handled = await other.events.waitFor("use-handled", { matches: ({ event }) => event.invitee === invitee });
  expect(handled.told).toEqual(["alice@localhost"]);
  expect(await noticesAbout(invitee)).toHaveLength(1);

  // "a" comes back under its name: its pending list is empty, the use is not told again; a new use is told once,
  // by whichever instance reads it, after "a" went through its pending entries.
  const back = await startInstance("a");
  const next = await use(await inviteOfAlice(other));
  await eventually(async () => {
    const told = [back, other].flatMap((bot) =>
      bot.events.all("use-handled", { matches: ({ event }) => event.invitee === next }),
    );
    expect(told).toHaveLength(1);
  });
  expect(await noticesAbout(next)).toHaveLength(1);
  expect(await noticesAbout(invitee)).toHaveLength(1);
  expect(back.events.all("use-handled", { matches: ({ event }) => event.invitee === invitee })).toEqual([]);
});
