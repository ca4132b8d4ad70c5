/** The invite quota (issue #4 point 4): per user, rolling 24 hours, in Redis, admins exempt. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { quotaKey, recordKey } from "../../src/storage/keys.js";
import { errorOf, executeIq, formValues } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let otherInstance: TestBot;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startScenario();
  // Two instances of the bot on one Redis, as behind a load balancer.
  [bot, otherInstance] = await Promise.all([
    world.startBot("bot", { INVITE_QUOTA: "2" }),
    world.startBot("bot2", { INVITE_QUOTA: "2" }),
  ]);
  [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

async function invite(user: TestUser, target: TestBot) {
  const reply = await user.requestRaw(executeIq(target.jid, CONTACT));
  return { reply, uri: formValues(reply.getChild("command")?.getChild("x")).uri };
}

describe("the invite quota", () => {
  it("refuses a user's third invite in 24 hours, saying when the next is possible, on every instance", async () => {
    expect((await invite(alice, bot)).uri).toBeDefined();
    expect((await invite(alice, otherInstance)).uri).toBeDefined();
    const records = async () => (await world.redis.keys(recordKey("localhost", "*"))).length;
    const before = await records();
    for (const target of [bot, otherInstance]) {
      const { reply } = await invite(alice, target);
      expect(errorOf(reply)).toMatchObject({ type: "wait", condition: "resource-constraint" });
      expect(errorOf(reply).text).toMatch(
        /^You have created as many invites as allowed in 24 hours; the next one is possible in 1 day \(\w{3}, \d\d \w{3} \d{4} \d\d:\d\d UTC\)$/u,
      );
    }
    expect((await alice.ask(bot.jid, "invite")).getChildText("body")).toMatch(
      /^Sorry, you have created as many invites as allowed in 24 hours\. You can create the next one in 1 day \(/u,
    );
    expect(await records()).toBe(before);
  });

  it("counts each user on their own", async () => {
    // alice has used her two; bob still has his own, and alice is still refused after his.
    expect((await invite(bob, bot)).uri).toBeDefined();
    expect(errorOf((await invite(alice, bot)).reply).condition).toBe("resource-constraint");
    expect(await world.redis.zCard(quotaKey("localhost", "bob@localhost"))).toBe(1);
    expect(await world.redis.zCard(quotaKey("localhost", "alice@localhost"))).toBe(2);
  });

  it("does not limit admins", async () => {
    for (let i = 0; i < 4; i += 1) expect((await invite(admin, bot)).uri).toBeDefined();
  });

  it("keeps one count per user in Redis, whatever the resource", async () => {
    const bobOnAnotherDevice = await world.login("bob@localhost");
    expect((await invite(bobOnAnotherDevice, bot)).uri).toBeDefined(); // bob's second and last
    expect(errorOf((await invite(bob, bot)).reply).condition).toBe("resource-constraint");
    const keys = await world.redis.keys(quotaKey("localhost", "bob@localhost"));
    expect(keys).toHaveLength(1);
    expect(await world.redis.zCard(keys[0] ?? "")).toBe(2);
  });
});
