/**
 * Every Redis store of the bot on a Redis Cluster (three masters) and behind Redis Sentinel (a master, a replica,
 * three Sentinels), through the bot's ACL user as deployed (docs/redis.md): the same contract suites as on one
 * server (test/helpers/*-contract.ts). Two backends stand for two bot instances. A raw client of the tests' own user
 * on the node that holds the host's slot forges and clears keys: every key of a host is in that one slot.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisTarget } from "../../../src/config/types.js";
import type { ApiKeyStore } from "../../../src/invites/api-keys.js";
import type { ConsoleStore } from "../../../src/invites/console-store.js";
import { createLogger } from "../../../src/logger.js";
import {
  eventsKey,
  invitedByKey,
  inviteesKey,
  joinedKey,
  LAYOUT_VERSION,
  layoutKey,
} from "../../../src/storage/keys.js";
import { type RedisBackend, redisBackend } from "../../../src/storage/redis-backend.js";
import { createRedisClient } from "../../../src/storage/redis-client.js";
import { apiKeyStoreContract } from "../../helpers/api-key-store-contract.js";
import { circleStoreContract } from "../../helpers/circle-store-contract.js";
import { inviteClaimsContract } from "../../helpers/claims-contract.js";
import { consoleStoreContract } from "../../helpers/console-store-contract.js";
import { eventStreamContract } from "../../helpers/event-stream-contract.js";
import { hitCounterContract } from "../../helpers/hit-counter-contract.js";
import { quotaTreeContract, recordRegistration } from "../../helpers/quota-tree-contract.js";
import { redisCircleForgery } from "../../helpers/redis-circle-forgery.js";
import { type RedisCluster, startRedisCluster } from "../../helpers/redis-cluster.js";
import { type RedisSentinelSetup, startRedisSentinel } from "../../helpers/redis-sentinel.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";
import { TEST_SIGNING_KEYS } from "../../helpers/signing.js";
import { inviteStatsContract } from "../../helpers/stats-contract.js";
import { inviteStoreContract, quotaStoreContract, relationsStoreContract } from "../../helpers/store-contract.js";

const HOST = "example.org";
const TIMEOUT_MS = 1000;
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Mode {
  backend: RedisBackend;
  sibling: RedisBackend;
  raw: RawRedis;
}

async function readyBackend(target: RedisTarget): Promise<RedisBackend> {
  const backend = redisBackend({
    redis: createRedisClient(target, TIMEOUT_MS),
    host: HOST,
    timeoutMs: TIMEOUT_MS,
    signingKeys: TEST_SIGNING_KEYS,
    log: createLogger("silent"),
  });
  backend.start();
  await backend.ready();
  return backend;
}

async function modeOn(target: RedisTarget, rawUrl: string): Promise<Mode> {
  const raw = rawRedisClient(rawUrl);
  raw.on("error", () => {});
  await raw.connect();
  const [backend, sibling] = await Promise.all([readyBackend(target), readyBackend(target)]);
  return { backend, sibling, raw };
}

let cluster: RedisCluster;
let sentinel: RedisSentinelSetup;
const modes: Record<string, Mode> = {};

beforeAll(async () => {
  [cluster, sentinel] = await Promise.all([startRedisCluster(), startRedisSentinel()]);
  const credentials = cluster.botCredentials;
  modes.cluster = await modeOn(
    { cluster: { nodes: cluster.ports.map((port) => ({ host: "127.0.0.1", port })), credentials } },
    cluster.adminUrl(await cluster.portOf(layoutKey(HOST))),
  );
  modes.sentinel = await modeOn(
    {
      sentinel: {
        name: sentinel.env.REDIS_SENTINEL_NAME as string,
        sentinels: sentinel.sentinelPorts.map((port) => ({ host: "127.0.0.1", port })),
        sentinelPassword: sentinel.env.REDIS_SENTINEL_PASSWORD as string,
        confirmReplicas: 1,
        credentials,
      },
    },
    sentinel.adminUrl(await sentinel.masterPort()),
  );
}, 60_000);

afterAll(async () => {
  for (const mode of Object.values(modes)) {
    await Promise.allSettled([mode.backend.stop(), mode.sibling.stop()]);
    if (mode.raw.isOpen) mode.raw.destroy();
  }
  await Promise.allSettled([cluster?.stop(), sentinel?.stop()]);
});

for (const name of ["cluster", "sentinel"] as const) {
  const mode = () => modes[name] as Mode;
  const label = name === "cluster" ? "Redis Cluster" : "Redis Sentinel";
  const clear = async () => {
    await mode().raw.flushDb();
    await mode().raw.set(layoutKey(HOST), LAYOUT_VERSION);
  };
  const takeUse = async (token: string) => {
    const outcome = await mode().backend.claims.claim(token);
    if (!outcome.ok) throw new Error(`no use left to take: ${outcome.reason}`);
    await outcome.claim.keep();
  };
  const now = () => Math.floor(Date.now() / 1000);

  describe(`the bot's client on ${label}`, () => {
    it("names the mode in its label, without a password", () => {
      const target: RedisTarget =
        name === "cluster"
          ? { cluster: { nodes: [{ host: "10.0.0.5", port: 6379 }], credentials: { password: "s3cret" } } }
          : {
              sentinel: {
                name: "mymaster",
                sentinels: [{ host: "::1", port: 26379 }],
                sentinelPassword: "s3cret",
                confirmReplicas: 1,
                credentials: { username: "bot", password: "s3cret" },
              },
            };
      const handle = createRedisClient(target, TIMEOUT_MS);
      expect(handle.label).toBe(
        name === "cluster" ? "redis cluster 10.0.0.5:6379" : "redis sentinel mymaster via [::1]:26379",
      );
      expect(handle.isReady()).toBe(false);
    });
  });

  inviteStoreContract(`RedisInvites on ${label}`, () => ({
    store: mode().backend.invites,
    now,
    advance: (seconds) => wait(seconds * 1000),
    clear,
    takeUse,
  }));

  inviteStatsContract(`RedisInviteStats on ${label}`, () => ({
    store: mode().backend.invites,
    stats: mode().backend.stats,
    now,
    clear,
    takeUse,
  }));

  quotaStoreContract(`RedisQuota on ${label}`, () => ({
    store: mode().backend.quota,
    invites: mode().backend.invites,
    markJoined: async (account, atSeconds) => {
      await mode().raw.zAdd(joinedKey(HOST), { score: atSeconds, value: account }, { NX: true });
    },
    nowMs: () => Date.now(),
    advanceMs: wait,
  }));

  quotaTreeContract(`RedisQuota on ${label}`, () => ({
    store: mode().backend.quota,
    invites: mode().backend.invites,
    recordRegistration: (inviter, invitee, atSeconds) =>
      recordRegistration(mode().raw, HOST, inviter, invitee, atSeconds),
    nowMs: () => Date.now(),
  }));

  relationsStoreContract(`RedisRelations on ${label}`, () => ({
    store: mode().backend.relations,
    recordUse: async (inviter, invitee) => {
      await mode().raw.set(invitedByKey(HOST, invitee), inviter, { NX: true });
      await mode().raw.sAdd(inviteesKey(HOST, inviter), invitee);
    },
    markJoined: async (account, atSeconds) => {
      await mode().raw.zAdd(joinedKey(HOST), { score: atSeconds, value: account }, { NX: true });
    },
  }));

  hitCounterContract(
    `The hit counter on ${label}`,
    () => ({ counter: mode().backend.hits, sibling: mode().sibling.hits, advanceMs: wait }),
    { shared: true },
  );

  inviteClaimsContract(`The claims on ${label}`, () => ({
    claims: mode().backend.claims,
    otherProcess: mode().sibling.claims,
    invites: mode().backend.invites,
    relations: mode().backend.relations,
    host: HOST,
    async newUses() {
      const stream = mode().backend.events("contract-uses");
      try {
        await stream.ensureGroup();
        return await stream.read("new", 20);
      } finally {
        await stream.close();
      }
    },
  }));

  eventStreamContract(`The event stream on ${label}`, () => ({
    open: (consumer) => mode().backend.events(consumer),
    record: (event) => mode().backend.claims.recordUse(event),
    forge: async (fields) => {
      await mode().raw.xAdd(eventsKey(HOST), "*", fields);
    },
    clear,
  }));

  circleStoreContract(
    `The circles on ${label}`,
    () => ({
      store: mode().backend.circles,
      sibling: mode().sibling.circles,
      forge: redisCircleForgery(() => mode().raw, HOST),
    }),
    { shared: true, forgeable: true },
  );

  consoleStoreContract(
    `The console store on ${label}`,
    () => ({
      store: mode().backend.console as ConsoleStore,
      sibling: mode().sibling.console as ConsoleStore,
      advanceMs: wait,
    }),
    { shared: true },
  );

  apiKeyStoreContract(`The API keys on ${label}`, () => ({
    store: mode().backend.apiKeys as ApiKeyStore,
    sibling: mode().sibling.apiKeys as ApiKeyStore,
  }));
}
