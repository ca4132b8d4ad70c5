/**
 * The summary's logs in Redis (docs/storage.md, "The summary's logs"): sorted sets under `invite:{HOST}:log:`, which
 * only the bot's ACL user reaches. The invite saves make their log entries in their own step (createdLogWrites,
 * queueEndedLog); the use events and the counts are here. Every command is one of the bot's ACL line.
 */
import { kindOf } from "../invites/record.js";
import type { InviteCounts, InviteStats, NotedUse } from "../invites/stats.js";
import { LOG_KEPT_SECONDS } from "../invites/stats.js";
import { idsKey, logKey } from "./keys.js";
import type { InviteRecord } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";
import type { RedisWrite } from "./redis-write.js";

type Multi = ReturnType<RedisConnection["client"]["multi"]>;

// KEYS = log:used, log:expiring, ids; ARGV = entry id, its time, the invite's id (or ""), now, the oldest time kept.
// The use is logged (again, harmlessly, when an entry is told twice). Then, if no pending invite has the id any more
// (its ids entry leaves when it is used up or revoked), `ZADD XX LT CH` lowers its logged expiry to now only when that
// expiry is still ahead — it was used up, not expired — and that entry is removed; an expiry already past stays.
const NOTE_USE = new RedisScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5])
if ARGV[3] ~= '' then
  local left = redis.call('ZRANGE', KEYS[3], '[' .. ARGV[3], '[' .. ARGV[3] .. '\\255', 'BYLEX', 'LIMIT', 0, 1)
  if #left == 0 and redis.call('ZADD', KEYS[2], 'XX', 'LT', 'CH', ARGV[4], ARGV[3]) == 1 then
    redis.call('ZREM', KEYS[2], ARGV[3])
  end
end
return 1
`);

/**
 * The commands that log a newly saved invite (none for a reset link) and drop the entries past a month: queued in the
 * save's MULTI, or run by the quota script (redis-invite-writes.ts).
 */
export function createdLogWrites(host: string, id: string, record: InviteRecord, now: number): RedisWrite[] {
  if (kindOf(record) === "reset") return [];
  const oldest = `(${now - LOG_KEPT_SECONDS}`;
  return [
    { op: "ZADD", key: logKey(host, "created"), score: record.created_at, member: id },
    { op: "ZADD", key: logKey(host, "expiring"), score: record.expires, member: id },
    { op: "ZREMRANGEBYSCORE", key: logKey(host, "created"), min: "-inf", max: oldest },
    { op: "ZREMRANGEBYSCORE", key: logKey(host, "expiring"), min: "-inf", max: oldest },
  ];
}

/** Queues the end of an invite's expiry watch: revoked, it will not expire. */
export function queueEndedLog(multi: Multi, host: string, id: string): void {
  multi.zRem(logKey(host, "expiring"), id);
}

export class RedisInviteStats implements InviteStats {
  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
  ) {}

  async noteUse({ entryId, invite, at }: NotedUse): Promise<void> {
    const host = this.host;
    const now = Math.floor(Date.now() / 1000);
    const keys = [logKey(host, "used"), logKey(host, "expiring"), idsKey(host)];
    const args = [entryId, String(at), invite ?? "", String(now), String(now - LOG_KEPT_SECONDS)];
    await this.redis.bounded("use log", () => NOTE_USE.run(this.redis.client, keys, args));
  }

  /** An edited invite's new expiry, for an invite whose expiry is watched (XX: a reset link's is not). */
  async expiryMoved(id: string, expires: number): Promise<void> {
    await this.redis.bounded("expiry log", () =>
      this.redis.client.zAdd(logKey(this.host, "expiring"), { score: expires, value: id }, { condition: "XX" }),
    );
  }

  async counts(now: number, days: readonly number[]): Promise<InviteCounts[]> {
    const host = this.host;
    return this.redis.bounded("summary", async () => {
      const multi = this.redis.client.multi();
      for (const window of days) {
        const since = `(${now - window * 86_400}`;
        multi.zCount(logKey(host, "created"), since, "+inf");
        multi.zCount(logKey(host, "used"), since, "+inf");
        multi.zCount(logKey(host, "expiring"), since, now);
      }
      const replies = (await multi.exec()).map(Number);
      return days.map((window, i) => ({
        days: window,
        created: replies[i * 3] ?? 0,
        used: replies[i * 3 + 1] ?? 0,
        expired: replies[i * 3 + 2] ?? 0,
      }));
    });
  }
}
