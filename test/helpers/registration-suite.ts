/**
 * The registration suite, run on each Redis-compatible store the bot and Prosody's module support (a Redis Cluster:
 * cluster-registration.test.ts; Valkey 8 standalone and cluster: valkey-registration.test.ts): an account invite, a
 * contact invite that registers, XEP-0379, 20 racers on one single-use invite, a reusable invite's cap, use events,
 * and Prosody's own invites written on the store (one MULTI/EXEC sent whole). Every key of a host is in one slot
 * (`invite:{localhost}:…`), so the scenario's raw client reads them on the node that holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT, CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { pendingKey, recordKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { createInviteUri, tokenOf } from "./adhoc-client.js";
import type { TestBot } from "./bot.js";
import { invitesAnswer } from "./invites-healthy.js";
import { uniqueName } from "./names.js";
import { commandLineInviteArgs } from "./prosody-server.js";
import { type Scenario, startScenarioOn } from "./scenario.js";
import type { TestServers } from "./servers.js";
import { connectUser, subscribeWithInvite, subscriptionOf, type TestUser } from "./xmpp-user.js";

/** Servers with Prosody's module on the store, and what the bot needs to reach the same store. */
export interface RegistrationWorld {
  readonly servers: TestServers;
  /** The bot's environment beyond the scenario's (e.g. clusterBotEnv); empty for a standalone server. */
  readonly botEnv: Record<string, string>;
}

export interface RegistrationSuiteOptions {
  /** The describe block's title, e.g. "on a Redis Cluster". */
  readonly title: string;
  /** Starts the servers; the suite stops them. */
  readonly start: () => Promise<RegistrationWorld>;
  /** Said in the first test's name: how Prosody's first call goes (e.g. redirected by a node without the slot). */
  readonly firstCall?: string;
  /** Store-specific tests, run in the same describe block once the world is up. */
  readonly more?: (world: () => Scenario) => void;
}

/** Declares the suite (its own beforeAll/afterAll) in a describe block titled `options.title`. */
export function registrationSuite(options: RegistrationSuiteOptions): void {
  describe(options.title, () => {
    let world: Scenario;
    let bot: TestBot;
    let admin: TestUser;
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      let botEnv: Record<string, string> = {};
      world = await startScenarioOn(async () => {
        const started = await options.start();
        botEnv = started.botEnv;
        return started.servers;
      });
      bot = await world.startBot("bot", { ...botEnv, ALLOW_USER_INVITES: "true" });
      [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
      // Prosody's first calls come while it starts and the accounts are made; on a loaded machine one of them may
      // miss invites_redis_timeout and open the module's breaker for a while. The suite starts once it is shut.
      await invitesAnswer(world);
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

    const firstCall = options.firstCall === undefined ? "" : `, ${options.firstCall}`;
    it(`registers with an account invite${firstCall}`, async () => {
      const token = tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT));
      // The tests' client is on the slot's master: the bot wrote the record and its index there.
      expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1);
      expect(await world.redis.zScore(pendingKey("localhost"), tokenHash(token))).not.toBeNull();
      const handled = bot.events.waitFor("use-handled", { matches: ({ event }) => event.invite === inviteId(token) });
      const name = uniqueName("reg-carol");
      expect((await world.registerWithInvite(token, name)).register.attrs.type).toBe("result");
      expect((await handled).event).toMatchObject({ kind: "registered", invitee: `${name}@localhost` });
      expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
      await login(name);
    });

    it("registers with a contact invite, and the newcomer and the inviter are mutual contacts", async () => {
      const uri = await createInviteUri(alice, bot.jid, CONTACT);
      const name = uniqueName("reg-dave");
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
      const racers = Array.from({ length: 20 }, () => uniqueName("reg-racer"));
      const results = await Promise.all(racers.map((name) => world.registerWithInvite(token, name)));
      const won = results.filter(({ register }) => register.attrs.type === "result");
      expect(won).toHaveLength(1);
    });

    it("keeps a reusable invite's cap", async () => {
      const created = await bot.app.service.createAccountInvite(
        actorFor("admin@localhost", bot.app.service.policy),
        "admin@localhost/suite",
        { maxUses: 3 },
      );
      const token = created.invite.token;
      const results = [];
      for (let i = 0; i < 4; i += 1) results.push(await world.registerWithInvite(token, uniqueName("reg-club")));
      expect(results.map(({ register }) => register.attrs.type)).toEqual(["result", "result", "result", "error"]);
    });

    it("stores Prosody's own invites, from prosodyctl and from the running server", async () => {
      // An account invite from the command line (a blocking connection), a contact invite that registers from the
      // admin shell (0.12) or the server's shell command (13): written by the running server over its event loop.
      const prosodyctl = (...args: string[]) => world.servers.prosody.prosodyctl(...args);
      const fromCommandLine = { token: tokenOf(await prosodyctl(...commandLineInviteArgs("localhost"))) };
      const fromServer = {
        token: tokenOf(await prosodyctl(...commandLineInviteArgs("localhost", { contactOf: "alice" }))),
      };
      for (const { token } of [fromCommandLine, fromServer]) {
        expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1);
        expect((await world.registerWithInvite(token, uniqueName("reg-own"))).register.attrs.type).toBe("result");
      }
    });

    options.more?.(() => world);
  });
}
