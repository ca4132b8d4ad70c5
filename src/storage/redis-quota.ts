/**
 * The limits of a requester's invites in Redis (docs/storage.md, "The quota"): so many per rolling period, and so
 * many pending at once.
 */
import {
  DEFAULT_LIFETIME_MS,
  type QuotaDecision,
  type QuotaRule,
  type QuotaRules,
  type QuotaStore,
  RESERVATION_LEASE_MS,
} from "../invites/store.js";
import type { Logger } from "../logger.js";
import { byInviterKey, joinedKey, quotaKey, reservingKey } from "./keys.js";
import type { LayoutGate } from "./layout-gate.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

// Check and take in one step inside Redis, so that racing requests (or bot instances) cannot both take the last
// place. KEYS = quota, by:SUBJECT (its invites, scored by expiry in seconds), reserving:SUBJECT (places taken whose
// invites are not saved yet, scored by when they stop counting), joined (when accounts registered, Unix seconds);
// ARGV = now (ms), window (ms), limit (-1: none), member, most pending (-1: none), lease (ms), the invites' lifetime
// (ms), the youngest account allowed (ms, -1: any), the subject. Returns {0, 1 if the age could not be read} when
// taken, else {1 (the period), 2 (pending) or 3 (the account's age), the time (ms) the next invite is possible at
// the latest: a place in flight becomes an invite that lasts the lifetime from when it was taken}.
const RESERVE = new RedisScript(`
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local member, most, lease, lifetime = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local youngest, unchecked = tonumber(ARGV[8]), 0
if youngest >= 0 then
  -- redis.pcall: a Redis user whose ACL lacks +zscore (older than this rule) still gets invites, unchecked.
  local joined = redis.pcall('ZSCORE', KEYS[4], ARGV[9])
  if type(joined) == 'table' then
    unchecked = 1
  elseif joined and tonumber(joined) * 1000 + youngest > now then
    return {3, tonumber(joined) * 1000 + youngest}
  end
end
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
return {0, unchecked}
`);

/** The script's codes of the limits. */
const RULES: Record<number, QuotaRule> = { 1: "period", 2: "pending", 3: "account-age" };

export class RedisQuota implements QuotaStore {
  #warnedUnchecked = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly gate: LayoutGate,
    private readonly host: string,
    private readonly log?: Logger,
  ) {}

  async reserve(subject: string, rules: QuotaRules, member: string): Promise<QuotaDecision> {
    await this.gate.usable("quota");
    const keys = [
      quotaKey(this.host, subject),
      byInviterKey(this.host, subject),
      reservingKey(this.host, subject),
      joinedKey(this.host),
    ];
    const args = [
      String(Date.now()),
      String(rules.windowMs),
      String(rules.limit ?? -1),
      member,
      String(rules.maxPending ?? -1),
      String(RESERVATION_LEASE_MS),
      String(rules.lifetimeMs ?? DEFAULT_LIFETIME_MS),
      String(rules.minAccountAgeMs ?? -1),
      subject,
    ];
    const reply = (await this.redis.bounded("quota", () => RESERVE.run(this.redis.client, keys, args))) as unknown[];
    const [rule, retryAtMs] = reply.map(Number);
    if (rule === 0) {
      if (retryAtMs === 1 && !this.#warnedUnchecked) {
        this.#warnedUnchecked = true;
        this.log?.warn("The bot's Redis user may not send ZSCORE: account ages are not checked (docs/security.md)", {
          rule: "INVITE_MIN_ACCOUNT_AGE",
        });
      }
      return { allowed: true };
    }
    return { allowed: false, rule: RULES[rule ?? 1] ?? "period", retryAtMs: retryAtMs ?? Date.now() };
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
