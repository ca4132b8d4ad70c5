/**
 * The limits of a requester's invites in Redis (docs/storage.md, "The quota"): so many per rolling period, and so
 * many pending at once.
 */
import {
  DEFAULT_LIFETIME_MS,
  type QuotaDecision,
  type QuotaRules,
  type QuotaStore,
  RESERVATION_LEASE_MS,
} from "../invites/store.js";
import { byInviterKey, quotaKey, reservingKey } from "./keys.js";
import type { LayoutGate } from "./layout-gate.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

// Check and take in one step inside Redis, so that racing requests (or bot instances) cannot both take the last
// place. KEYS = quota, by:SUBJECT (its invites, scored by expiry in seconds), reserving:SUBJECT (places taken whose
// invites are not saved yet, scored by when they stop counting); ARGV = now (ms), window (ms), limit (-1: none),
// member, most pending (-1: none), lease (ms), the invites' lifetime (ms). Returns {0} when taken, else {1 (the
// period) or 2 (pending), the time (ms) a place frees up at the latest: a place in flight becomes an invite that
// lasts the lifetime from when it was taken}.
const RESERVE = new RedisScript(`
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local member, most, lease, lifetime = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
if limit >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  if redis.call('ZCARD', KEYS[1]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {1, tonumber(oldest[2]) + window}
  end
end
if most >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  local nowSeconds = math.floor(now / 1000)
  local pending = redis.call('ZCOUNT', KEYS[2], '(' .. nowSeconds, '+inf') + redis.call('ZCARD', KEYS[3])
  if pending >= most then
    local soonest = nil
    local invite = redis.call('ZRANGE', KEYS[2], '(' .. nowSeconds, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES')
    if invite[2] then soonest = tonumber(invite[2]) * 1000 end
    local reserved = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    if reserved[2] then
      local ends = tonumber(reserved[2]) - lease + lifetime
      if soonest == nil or ends < soonest then soonest = ends end
    end
    return {2, soonest or now}
  end
  redis.call('ZADD', KEYS[3], now + lease, member)
  redis.call('PEXPIRE', KEYS[3], lease)
end
if limit >= 0 then
  redis.call('ZADD', KEYS[1], now, member)
  redis.call('PEXPIRE', KEYS[1], window)
end
return {0}
`);

export class RedisQuota implements QuotaStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly gate: LayoutGate,
    private readonly host: string,
  ) {}

  async reserve(subject: string, rules: QuotaRules, member: string): Promise<QuotaDecision> {
    await this.gate.usable("quota");
    const keys = [quotaKey(this.host, subject), byInviterKey(this.host, subject), reservingKey(this.host, subject)];
    const args = [
      String(Date.now()),
      String(rules.windowMs),
      String(rules.limit ?? -1),
      member,
      String(rules.maxPending ?? -1),
      String(RESERVATION_LEASE_MS),
      String(rules.lifetimeMs ?? DEFAULT_LIFETIME_MS),
    ];
    const reply = (await this.redis.bounded("quota", () => RESERVE.run(this.redis.client, keys, args))) as unknown[];
    const [rule, retryAtMs] = reply.map(Number);
    if (rule === 0) return { allowed: true };
    return { allowed: false, rule: rule === 1 ? "period" : "pending", retryAtMs: retryAtMs ?? Date.now() };
  }

  async release(subject: string, member: string): Promise<void> {
    await this.gate.usable("quota");
    await this.redis.bounded("quota", async () => {
      await this.redis.client
        .multi()
        .zRem(quotaKey(this.host, subject), member)
        .zRem(reservingKey(this.host, subject), member)
        .exec();
    });
  }
}
