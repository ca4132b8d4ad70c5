/**
 * Prosody's module and the bot behind Redis Sentinel (docs/prosody.md "Redis Sentinel and Redis Cluster",
 * docs/redis.md): both find the master through the Sentinels, and after a failover (`SENTINEL FAILOVER`, then the
 * master killed) both work again without a restart: the bot makes an invite, Prosody registers with it. On 0.12
 * and 13. (Writes the old master had not copied to its replica when it went are lost: docs/redis.md.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT } from "../../src/commands/invite-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { createInviteUri, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { uniqueName } from "../helpers/names.js";
import { type Scenario, startScenarioOn } from "../helpers/scenario.js";
import { type SentinelServers, startSentinelServers } from "../helpers/sentinel-servers.js";
import type { TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let servers: SentinelServers;
let bot: TestBot;
let admin: TestUser;

beforeAll(async () => {
  world = await startScenarioOn(async () => {
    servers = await startSentinelServers();
    return servers;
  });
  bot = await world.startBot("bot", { REDIS_URL: "", ...servers.sentinel.env });
  admin = await world.login("admin@localhost");
}, 90_000);

afterAll(async () => {
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await world?.stop();
});

/** An account invite from the bot, registered in-band on Prosody; the bot is told of the use. */
async function inviteAndRegister(): Promise<void> {
  const token = tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT));
  const handled = bot.events.waitFor("use-handled", { matches: ({ event }) => event.invite === inviteId(token) });
  const name = uniqueName("sn-user");
  const { register } = await world.registerWithInvite(token, name);
  expect(register.attrs.type, register.toString()).toBe("result");
  expect((await handled).event.invitee).toBe(`${name}@localhost`);
}

describe("behind Redis Sentinel", () => {
  it("registers with the bot's invite, both finding the master through the Sentinels", async () => {
    await inviteAndRegister();
  });

  it("works again after SENTINEL FAILOVER, without restarting Prosody or the bot", async () => {
    const before = await servers.sentinel.masterPort();
    const after = await servers.sentinel.failover();
    expect(after).not.toBe(before);
    // Calls fail cleanly for the moment both take to notice; then everything goes to the new master.
    await eventually(inviteAndRegister, 20_000, 250);
  }, 40_000);

  it("works again after the master is killed, without restarting Prosody or the bot", async () => {
    const before = await servers.sentinel.masterPort();
    const after = await servers.sentinel.killMaster();
    expect(after).not.toBe(before);
    await eventually(inviteAndRegister, 20_000, 250);
  }, 40_000);
});
