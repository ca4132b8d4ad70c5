/** The bot's rolling 24-hour invite quota in Redis (docs/storage.md, "The quota"). */
import type { QuotaDecision, QuotaStore } from "../invites/store.js";
import { quotaKey } from "./keys.js";
import type { LayoutGate } from "./layout-gate.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

// Check and count in one step inside Redis, so that racing requests (or bot
// instances) cannot both take the last place. Returns -1 when reserved, else
// the time (ms) the oldest reservation leaves the window.
const RESERVE = new RedisScript(`
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return -1
`);

export class RedisQuota implements QuotaStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly gate: LayoutGate,
    private readonly host: string,
  ) {}

  async reserve(subject: string, limit: number, windowMs: number, member: string): Promise<QuotaDecision> {
    await this.gate.usable("quota");
    const key = quotaKey(this.host, subject);
    const args = [String(Date.now()), String(windowMs), String(limit), member];
    const reply = await this.redis.bounded("quota", () => RESERVE.run(this.redis.client, [key], args));
    return Number(reply) === -1 ? { allowed: true } : { allowed: false, retryAtMs: Number(reply) };
  }

  async release(subject: string, member: string): Promise<void> {
    await this.gate.usable("quota");
    await this.redis.bounded("quota", () => this.redis.client.zRem(quotaKey(this.host, subject), member));
  }
}
