/**
 * The leader lease in Redis (src/invites/leadership.ts, docs/instances.md), one per bot account (several bots of one
 * host may share a Redis): `invite:{HOST}:leader:ACCOUNT` holds `EPOCH:HOLDER` with a TTL (PX), and
 * `invite:{HOST}:leader-epoch:ACCOUNT` the last epoch given out (INCR). Each step is one
 * script, so taking, renewing and giving up are atomic, and only the holder with its epoch extends or deletes the
 * key: an instance whose lease ran out while it could not reach Redis cannot renew the one another took since. Both
 * keys share the host's hash slot, as a script's keys must in Redis Cluster. The lease does not wait for the layout
 * check: it is a key of its own that no layout had before.
 */
import type { HeldLease, LeaderLease } from "../invites/leadership.js";
import { leaderEpochKey, leaderKey } from "./keys.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

// Taken when free (as SET NX would), or when its holder's own name is in it (the same instance, restarted): a new
// epoch either way. Nil when another holds it.
const ACQUIRE = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if current and string.match(current, '^%d+:(.*)$') ~= ARGV[1] then return false end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], epoch .. ':' .. ARGV[1], 'PX', ARGV[2])
return epoch
`);

const RENEW = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export class RedisLeaderLease implements LeaderLease {
  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly account: string,
  ) {}

  async acquire(holder: string, ttlMs: number): Promise<HeldLease | undefined> {
    const keys = [leaderKey(this.host, this.account), leaderEpochKey(this.host, this.account)];
    const reply = await this.redis.bounded("leader", () =>
      ACQUIRE.run(this.redis.client, keys, [holder, String(ttlMs)]),
    );
    return reply === null || reply === undefined ? undefined : { epoch: Number(reply) };
  }

  async renew(holder: string, lease: HeldLease, ttlMs: number): Promise<boolean> {
    const value = `${lease.epoch}:${holder}`;
    const reply = await this.redis.bounded("leader", () =>
      RENEW.run(this.redis.client, [leaderKey(this.host, this.account)], [value, String(ttlMs)]),
    );
    return Number(reply) === 1;
  }

  async release(holder: string, lease: HeldLease): Promise<void> {
    const value = `${lease.epoch}:${holder}`;
    await this.redis.bounded("leader", () =>
      RELEASE.run(this.redis.client, [leaderKey(this.host, this.account)], [value]),
    );
  }
}
