/** The web pages' rate-limit counters in Redis (docs/storage.md, "Web rate limits"): one key per window. */
import type { HitCounter } from "../invites/store.js";
import { webHitsKey } from "./keys.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

// Count, start the window on the first hit, and say how long it has left, in one step.
const HIT = new RedisScript(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`);

export class RedisHitCounter implements HitCounter {
  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
  ) {}

  async hit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }> {
    const reply = await this.redis.bounded("rate limit", () =>
      HIT.run(this.redis.client, [webHitsKey(this.host, key)], [String(windowMs)]),
    );
    const [count, ttl] = reply as [number, number];
    return { count: Number(count), resetInMs: Number(ttl) };
  }
}
