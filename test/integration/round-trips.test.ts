/**
 * Redis round trips per user's contact invite (issue 26), counted from outside with MONITOR
 * (scripts/bench-round-trips.ts) on Redis as deployed, the bot under its users' full policy: one — the policy's
 * script takes the place and writes the invite with its indexes in the same step, and a bot alone on its account
 * asks Redis nothing for its flood check. With another instance online the flood count is shared: one more.
 * Counted over many invites, a stray background command of the bot (its leader lease, its event stream) weighs
 * little; the invites themselves make whole numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roundTripsPer } from "../../scripts/bench-round-trips.js";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { executeIq, formValues } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { connectUser, type TestUser } from "../helpers/xmpp-user.js";

const INVITES = 20;
let world: Scenario;
let bot: TestBot;
let alice: TestUser;

beforeAll(async () => {
  world = await startScenario();
  bot = await world.startBot("bot", {
    INVITE_QUOTA: "1000",
    INVITE_MAX_PENDING: "1000",
    INVITE_TREE_MAX: "1000",
    INVITE_MIN_ACCOUNT_AGE: "60",
    INVITE_CHAIN_PACE: "60",
  });
  alice = await world.login("alice@localhost");
});

afterAll(async () => {
  await world?.stop();
});

async function invite(): Promise<void> {
  const reply = await alice.request(executeIq(bot.jid, CONTACT));
  expect(formValues(reply.getChild("command")?.getChild("x")).uri).toMatch(/^xmpp:alice@localhost\?roster;preauth=/u);
}

describe("Redis round trips per user's contact invite", () => {
  it("is one for a bot alone on its account", async () => {
    // The first loads the script into Redis's cache (EVALSHA, then EVAL once).
    await invite();
    const trips = await roundTripsPer(world.servers.redis.url, INVITES, invite);
    expect(trips).toBeGreaterThanOrEqual(1);
    expect(trips).toBeLessThan(1.5);
  });

  it("is two while another instance of the bot is online: the shared flood count", async () => {
    const other = await connectUser({
      service: world.servers.service,
      domain: "localhost",
      username: "bot",
      password: "bot-password",
      resource: "another-instance",
    });
    try {
      // The bot hears of the other resource from the server (RFC 6121 §4.2.2) and counts floods in Redis.
      await eventually(async () => {
        await invite();
        expect(await world.redis.keys("invite:{localhost}:web-hits:xmpp:alice@localhost")).toHaveLength(1);
      });
      const trips = await roundTripsPer(world.servers.redis.url, INVITES, invite);
      expect(trips).toBeGreaterThanOrEqual(2);
      expect(trips).toBeLessThan(2.5);
    } finally {
      await other.stop();
    }
  });
});
