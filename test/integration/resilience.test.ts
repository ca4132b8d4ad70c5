/**
 * Outages in the middle of a run (issue 2 point 6 and the Prosody restart):
 * commands fail cleanly while Redis is away and work again after it returns;
 * the bot comes back online by itself after Prosody restarts.
 */
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { recordKey } from "../../src/storage/keys.js";
import { errorOf, executeIq, formValues } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { storedRecord } from "../helpers/raw-records.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let alice: TestUser;

beforeAll(async () => {
  world = await startScenario();
  bot = await world.startBot("bot");
  alice = await world.login("alice@localhost");
});

afterAll(async () => {
  if (process.env.SHOW_BOT_LOG) process.stderr.write(bot.logs.join(""));
  await world?.stop();
});

async function createInvite(user: TestUser) {
  const reply = await user.requestRaw(executeIq(bot.jid, CONTACT));
  return { reply, uri: formValues(reply.getChild("command")?.getChild("x")).uri };
}

function ping(user: TestUser) {
  return user.request(xml("iq", { type: "get", to: bot.jid }, xml("ping", { xmlns: "urn:xmpp:ping" })));
}

describe("Redis hangs while an invite is saved", () => {
  it("tells the admin nothing was created, and nothing is, once Redis goes on", async () => {
    const admin = await world.login("admin@localhost");
    const records = async () => (await world.redis.keys(recordKey("localhost", "*"))).length;
    const before = await records();
    world.servers.redis.pause();
    try {
      // Admins have no quota: the save is the first thing to reach Redis, and it times out (1 s).
      const answer = await admin.ask(bot.jid, "invite account", 10_000);
      expect(answer.getChildText("body")).toMatch(/so no invite was created/u);
    } finally {
      world.servers.redis.resume();
    }
    // Redis now works through what it had received: the save, then the bot's clean-up sent after it.
    // Once it answers another client, it has read and run both.
    await eventually(async () => expect(await world.redis.ping()).toBe("PONG"));
    expect(await records()).toBe(before);
    await bot.events.waitFor("invite-save-undone");
  });
});

describe("Redis goes away and comes back", () => {
  it("fails commands cleanly during the outage and serves them again afterwards", async () => {
    expect((await createInvite(alice)).uri).toMatch(/preauth=/u);
    const since = bot.events.mark();

    await world.servers.redis.halt();

    const started = Date.now();
    const { reply } = await createInvite(alice);
    const elapsed = Date.now() - started;
    expect(errorOf(reply)).toEqual({
      type: "wait",
      condition: "internal-server-error",
      specific: undefined,
      text: expect.stringContaining("no invite was created. Please try again in a minute"),
    });
    // REDIS_TIMEOUT_MS is 1000 for test bots: nothing may wait longer than that.
    expect(elapsed).toBeLessThan(2_000);

    const chat = await alice.ask(bot.jid, "invite");
    expect(chat.getChildText("body")).toMatch(/^Sorry, I cannot reach my invite store right now/u);

    // Still online and answering everything else.
    await ping(alice);
    expect(bot.app.xmpp.status).toBe("online");

    await world.servers.redis.start();
    const recovered = await eventually(async () => {
      const attempt = await createInvite(alice);
      if (attempt.uri === undefined) throw new Error(`still failing: ${attempt.reply.toString()}`);
      return attempt;
    }, 10_000);
    const token = /preauth=([\w-]{24})/u.exec(recovered.uri ?? "")?.[1];
    await eventually(async () => expect(await storedRecord(world.redis, token ?? "")).toBeDefined());

    const link = bot.events.all("store-link", { since }).map(({ state }) => state);
    expect(link).toEqual(["lost", "restored"]);
    // Said to people too, once each.
    expect(bot.logs.filter((l) => l.includes("Redis connection lost"))).toHaveLength(1);
    expect(bot.logs.filter((l) => l.includes("Redis connection restored"))).toHaveLength(1);
  });
});

describe("Redis is down when the bot starts", () => {
  it("goes online anyway and starts serving once Redis is up", async () => {
    await world.servers.redis.halt();
    const late = await world.startBot("bot2");
    const reply = await alice.requestRaw(executeIq(late.jid, CONTACT));
    expect(errorOf(reply)).toMatchObject({ type: "wait", condition: "internal-server-error" });
    await world.servers.redis.start();
    await eventually(async () => {
      const attempt = await alice.requestRaw(executeIq(late.jid, CONTACT));
      expect(formValues(attempt.getChild("command")?.getChild("x")).uri).toMatch(/preauth=/u);
    }, 10_000);
  });
});

describe("Prosody restarts", () => {
  it("brings the bot back online by itself", async () => {
    const since = bot.events.mark();
    await world.servers.prosody.restart();
    await bot.events.waitFor("online", { since, ms: 15_000 });

    const again = await world.login("alice@localhost");
    const { uri } = await createInvite(again);
    expect(uri).toMatch(/^xmpp:alice@localhost\?roster;preauth=/u);
    // Cut off as Prosody stopped (and perhaps again while it was starting), then logged in once.
    expect(bot.events.all("disconnected", { since }).length).toBeGreaterThan(0);
    expect(bot.events.all("online", { since })).toHaveLength(1);
    expect(bot.logs.some((l) => l.includes("Disconnected from the XMPP server; reconnecting"))).toBe(true);
  });
});
