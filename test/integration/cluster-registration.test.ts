/**
 * Prosody's module and the bot on a Redis Cluster (docs/prosody.md "Redis Sentinel and Redis Cluster",
 * docs/redis.md): three masters, Prosody given a node that does not hold the host's slot first, so its first call
 * is redirected (MOVED) and it must follow; the bot with REDIS_CLUSTER_NODES. The registration suite: an account
 * invite, a contact invite that registers, XEP-0379, 20 racers on one single-use invite, a reusable invite's cap,
 * use events, and Prosody's own invites written on the cluster (one MULTI/EXEC sent whole). On 0.12 and 13.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT, CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { pendingKey, recordKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { createInviteUri, tokenOf } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { type ClusterServers, clusterBotEnv, startClusterServers } from "../helpers/cluster-servers.js";
import { uniqueName } from "../helpers/names.js";
import { commandLineInviteArgs } from "../helpers/prosody-server.js";
import { type Scenario, startScenarioOn } from "../helpers/scenario.js";
import { connectUser, subscribeWithInvite, subscriptionOf, type TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let servers: ClusterServers;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startScenarioOn(async () => {
    servers = await startClusterServers();
    return servers;
  });
  bot = await world.startBot("bot", { ...clusterBotEnv(servers.cluster), ALLOW_USER_INVITES: "true" });
  [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
});

afterAll(async () => {
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await world?.stop();
});

async function login(username: string): Promise<TestUser> {
  const user = await connectUser({
    service: world.servers.service,
    domain: "localhost",
    username,
    password: `${username}-pw`,
  });
  world.users.push(user);
  return user;
}

describe("on a Redis Cluster", () => {
  it("registers with an account invite, Prosody following the redirection from a node without the host's slot", async () => {
    const token = tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT));
    // The tests' client is on the slot's master: the bot wrote the record and its index there.
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1);
    expect(await world.redis.zScore(pendingKey("localhost"), tokenHash(token))).not.toBeNull();
    const handled = bot.events.waitFor("use-handled", { matches: ({ event }) => event.invite === inviteId(token) });
    const name = uniqueName("cl-carol");
    expect((await world.registerWithInvite(token, name)).register.attrs.type).toBe("result");
    expect((await handled).event).toMatchObject({ kind: "registered", invitee: `${name}@localhost` });
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
    await login(name);
  });

  it("registers with a contact invite, and the newcomer and the inviter are mutual contacts", async () => {
    const uri = await createInviteUri(alice, bot.jid, CONTACT);
    const name = uniqueName("cl-dave");
    expect((await world.registerWithInvite(tokenOf(uri), name)).register.attrs.type).toBe("result");
    const dave = await login(name);
    expect(subscriptionOf(await dave.roster(), "alice@localhost")).toBe("both");
  });

  it("pre-approves an existing user's subscription with a contact invite (XEP-0379)", async () => {
    const uri = await createInviteUri(alice, bot.jid, CONTACT);
    await subscribeWithInvite(bob, "alice@localhost", tokenOf(uri));
    await bob.nextPresence({ from: "alice@localhost", type: "subscribed" });
    expect(subscriptionOf(await alice.roster(), "bob@localhost")).toBe("from");
  });

  it("lets exactly one of 20 racers register with a single-use invite", async () => {
    const token = tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT));
    const racers = Array.from({ length: 20 }, () => uniqueName("cl-racer"));
    const results = await Promise.all(racers.map((name) => world.registerWithInvite(token, name)));
    const won = results.filter(({ register }) => register.attrs.type === "result");
    expect(won).toHaveLength(1);
  });

  it("keeps a reusable invite's cap", async () => {
    const created = await bot.app.service.createAccountInvite(
      actorFor("admin@localhost", bot.app.service.policy),
      "admin@localhost/cluster",
      { maxUses: 3 },
    );
    const token = created.invite.token;
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await world.registerWithInvite(token, uniqueName("cl-club")));
    expect(results.map(({ register }) => register.attrs.type)).toEqual(["result", "result", "result", "error"]);
  });

  it("stores Prosody's own invites on the cluster, from prosodyctl and from the running server", async () => {
    // An account invite from the command line (a blocking connection), a contact invite that registers from the
    // admin shell (0.12) or the server's shell command (13): written by the running server over its event loop.
    const prosodyctl = (...args: string[]) => world.servers.prosody.prosodyctl(...args);
    const fromCommandLine = { token: tokenOf(await prosodyctl(...commandLineInviteArgs("localhost"))) };
    const fromServer = {
      token: tokenOf(await prosodyctl(...commandLineInviteArgs("localhost", { contactOf: "alice" }))),
    };
    for (const { token } of [fromCommandLine, fromServer]) {
      expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1);
      expect((await world.registerWithInvite(token, uniqueName("cl-own"))).register.attrs.type).toBe("result");
    }
  });
});
