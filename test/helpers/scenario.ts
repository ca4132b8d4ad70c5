/**
 * A whole world for integration tests: private Prosody + Redis, accounts, and
 * helpers to start bots and log users in. Every password is `<name>-password`.
 */
import { createClient } from "@keyv/redis";
import type { AppDeps } from "../../src/app.js";
import { startBot, type TestBot } from "./bot.js";
import { registerWithToken } from "./ibr-client.js";
import type { RedisProxy } from "./redis-proxy.js";
import { type ServerOptions, startServers, type TestServers } from "./servers.js";
import { startInSteps } from "./start-steps.js";
import { connectUser, type TestUser } from "./xmpp-user.js";

export const ACCOUNTS = {
  localhost: ["admin", "alice", "bob", "bot", "bot2", "bot3"],
  "other.localhost": ["eve", "boss"],
} as const;

/** Admins used by every test bot: one local, one on another domain. */
export const ADMIN_JIDS = "Admin@LocalHost,boss@other.localhost";

/** A plain Redis client to look at the raw keys. */
export type RawRedis = ReturnType<typeof rawRedisClient>;

export function rawRedisClient(url: string) {
  return createClient({ url });
}

export interface Scenario {
  servers: TestServers;
  redis: RawRedis;
  bots: TestBot[];
  users: TestUser[];
  startBot(username: string, env?: Record<string, string>, deps?: Omit<AppDeps, "log">): Promise<TestBot>;
  login(jid: string): Promise<TestUser>;
  /** Registers `username@localhost` in-band with an invite token (XEP-0401 preauth, then XEP-0077). */
  registerWithInvite(token: string, username: string, password?: string): ReturnType<typeof registerWithToken>;
  /** Logs several users in at once; the result has one user per JID, in order. */
  loginAll<const T extends readonly string[]>(jids: T): Promise<{ -readonly [K in keyof T]: TestUser }>;
  stop(): Promise<void>;
}

/** With `inviteModule`, Prosody runs our module from prosody/ and consumes the invites in Redis. */
export function startScenario(options: ServerOptions = {}): Promise<Scenario> {
  return startScenarioOn(() => startServers({}, options));
}

/** The scenario on servers started otherwise (e.g. on a Redis Cluster: test/helpers/cluster-servers.ts). */
export function startScenarioOn(start: () => Promise<TestServers>): Promise<Scenario> {
  return startInSteps("startScenario", async ({ step }) => {
    const servers = await step("starting the servers", start, (started) => started.stop());
    for (const [host, names] of Object.entries(ACCOUNTS)) {
      for (const name of names) {
        await step(`registering ${name}@${host}`, () => servers.prosody.register(name, host, `${name}-password`));
      }
    }
    const redis = await step(
      "connecting the raw Redis client",
      async () => {
        const client = rawRedisClient(servers.redis.url);
        client.on("error", () => {});
        try {
          await client.connect();
        } catch (error) {
          // A client that failed to connect may still be retrying.
          if (client.isOpen) client.destroy();
          throw error;
        }
        return client;
      },
      (client) => client.destroy(),
    );
    return scenarioOf(servers, redis);
  });
}

/** The scenario over servers and a Redis client that are up; starting bots and logging in are its own methods. */
function scenarioOf(servers: TestServers, redis: RawRedis): Scenario {
  const scenario: Scenario = {
    servers,
    redis,
    bots: [],
    users: [],
    async startBot(username, env = {}, deps = {}) {
      const bot = await startBot(servers, username, { ADMIN_JIDS, ...env }, deps);
      scenario.bots.push(bot);
      return bot;
    },
    async loginAll(jids) {
      return (await Promise.all(jids.map((jid) => scenario.login(jid)))) as never;
    },
    registerWithInvite(token, username, password = `${username}-pw`) {
      return registerWithToken({ port: servers.prosody.port, domain: "localhost", token, username, password });
    },
    async login(jid) {
      const [username = "", domain = ""] = jid.split("@");
      const user = await connectUser({ service: servers.service, domain, username, password: `${username}-password` });
      scenario.users.push(user);
      return user;
    },
    async stop() {
      await Promise.allSettled(scenario.users.map((u) => u.stop()));
      await Promise.allSettled(scenario.bots.map((b) => b.stop()));
      if (redis.isOpen) redis.destroy();
      await servers.stop();
    },
  };
  return scenario;
}

/**
 * A Prosody whose admins include the bot, with Prosody's XEP-0133 commands (mod_admin_adhoc), as docs/trees.md tells
 * admins to set it up for disabling accounts and answering approvals.
 */
export const BOT_IS_SERVER_ADMIN = {
  inviteModule: true,
  moreModules: ["admin_adhoc"],
  moduleConfig: 'admins = { "admin@localhost", "bot@localhost" }',
};

/** A scenario whose Prosody, with our module, reaches Redis through the proxy that can hold or drop answers. */
export async function startProxiedScenario(moduleConfig: string): Promise<{ world: Scenario; proxy: RedisProxy }> {
  const world = await startScenario({ inviteModule: true, redisProxy: true, moduleConfig });
  const proxy = world.servers.redisProxy;
  if (proxy === undefined) {
    await world.stop();
    throw new Error("startProxiedScenario: the scenario has no Redis proxy");
  }
  return { world, proxy };
}
