/**
 * The storage backend in Redis, in the layout of docs/storage.md: every port on one connection (redis-connection.ts)
 * of a client made by redis-client.ts. The invite records, the quota, who-invited-whom and the circles wait until
 * the host's store is known to be layout v3 (layout-gate.ts); the console's sessions and the API keys, keys of their
 * own that no layout had before, do not wait for it. Everything fails fast with StoreUnavailableError while Redis is
 * away.
 */

import type { EventSink } from "../events.js";
import type { LeaderLease } from "../invites/leadership.js";
import type { InviteStats } from "../invites/stats.js";
import type { EventStream, InviteClaims } from "../invites/store.js";
import type { Logger } from "../logger.js";
import type { StorageBackend, StorageEvents } from "./backend.js";
import { LayoutGate } from "./layout-gate.js";
import type { SigningKeys } from "./record.js";
import { RedisApiKeys } from "./redis-api-keys.js";
import { RedisApprovals } from "./redis-approvals.js";
import { RedisCircles } from "./redis-circles.js";
import { RedisClaims } from "./redis-claims.js";
import type { RedisClientHandle } from "./redis-client.js";
import { RedisConnection } from "./redis-connection.js";
import { RedisConsoleStore } from "./redis-console.js";
import { redisEventStream } from "./redis-events.js";
import { RedisHitCounter } from "./redis-hits.js";
import { RedisInviteStats } from "./redis-invite-stats.js";
import { RedisInvites } from "./redis-invites.js";
import { RedisLeaderLease } from "./redis-leader.js";
import { RedisQuota } from "./redis-quota.js";
import { RedisRelations } from "./redis-relations.js";

export interface RedisBackendOptions {
  /** The client to run on, not yet connected (createRedisClient: one server by URL). */
  readonly redis: RedisClientHandle;
  readonly host: string;
  readonly timeoutMs: number;
  readonly signingKeys: SigningKeys;
  readonly log: Logger;
  readonly events?: EventSink<StorageEvents>;
  /** Called when the store cannot be used by this version at all (an unknown layout). */
  readonly onFatal?: (error: Error) => void;
}

export interface RedisBackend extends StorageBackend {
  readonly stats: InviteStats;
  readonly claims: InviteClaims;
  readonly events: (consumer: string) => EventStream;
  readonly leader: (account: string) => LeaderLease;
  /** Resolves when the store is ready to use (layout checked or migrated); for tests and the benchmark. */
  ready(): Promise<void>;
}

/** Builds the ports without connecting; start() connects. */
export function redisBackend(options: RedisBackendOptions): RedisBackend {
  const { host, signingKeys: keys, log } = options;
  const redis: RedisConnection = new RedisConnection({
    ...options.redis,
    timeoutMs: options.timeoutMs,
    log,
    events: options.events,
    onReady: () => gate.check(),
  });
  const gate = new LayoutGate(redis, options);
  const stats = new RedisInviteStats(redis, host);
  return {
    invites: new RedisInvites(redis, gate, host, keys, log, stats),
    stats,
    quota: new RedisQuota(redis, gate, host, log),
    relations: new RedisRelations(redis, gate, host),
    hits: new RedisHitCounter(redis, host),
    circles: new RedisCircles(redis, gate, host, keys),
    console: new RedisConsoleStore(redis, host, keys),
    apiKeys: new RedisApiKeys(redis, host, keys),
    // One instance: it keeps the uses still to give back once Redis answers.
    claims: new RedisClaims(redis, host, keys, log),
    approvals: new RedisApprovals(redis, host, keys),
    events: (consumer) => {
      const stream = redisEventStream(redis, host, consumer, keys);
      return {
        ...stream,
        ensureGroup: async () => {
          await gate.usable("read");
          return stream.ensureGroup();
        },
      };
    },
    leader: (account) => new RedisLeaderLease(redis, host, account),
    start: () => redis.connect(),
    stop: async () => redis.close(),
    ready: () => gate.ready(),
  };
}
