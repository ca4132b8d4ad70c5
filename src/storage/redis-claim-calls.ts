/**
 * What one claim of the bot sends to Redis (redis-claims.ts): the Prosody module's own scripts (prosody/scripts/,
 * beside the module that runs them too), one text for both sides, so a use is taken, given back and recorded the
 * same way whoever takes it, and the keys and arguments each takes for one claim.
 */
import { maxUsesOf } from "../invites/record.js";
import { claimKey, idsKey, recordKey, unsettledKey, usedKey } from "./keys.js";
import type { RedisWork } from "./pending-redis-work.js";
import { expiryIndexesOf, type InviteRecord } from "./record.js";
import type { RedisConnection } from "./redis-connection.js";
import { entryText, recordArguments, type UnsettledEntry } from "./redis-unsettled.js";
import { sharedScript } from "./shared-script.js";

// KEYS = rec, used, indexes…, ids, marker[, unsettled]; ARGV = hash, tag, max, claim id[, entry]. Returns the uses
// left, -1 gone, -2 none left, -3 changed.
const CLAIM = sharedScript("claim.lua");

// KEYS as CLAIM; ARGV = hash, the record's raw value, expires (ms), expires (s), max, "marked"[, claim id]. Returns 1
// when a use went back: only while the claim's marker is there, which it deletes (and the entry with it).
const GIVE_BACK = sharedScript("give_back.lua");

// KEYS and ARGV as recordArguments (redis-unsettled.ts) gives them.
export const RECORD_USE = sharedScript("record_use.lua");

// KEYS = unsettled, marker, then RECORD_USE's; ARGV = claim id, then RECORD_USE's. Returns 1 when it recorded the use.
const SETTLE = sharedScript("settle.lua");

/** The claim script's cap: 0 single use, -1 reusable without a cap, else the counted invite's uses. */
function maxOf(record: InviteRecord): number {
  if (!record.reusable) return 0;
  return maxUsesOf(record) ?? -1;
}

/** The keys of claim.lua and give_back.lua for one claim: the invite's, its marker[, the unsettled entries]. */
function claimKeys(host: string, hash: string, record: InviteRecord, claimId: string, withEntry: boolean) {
  const keys = [recordKey(host, hash), usedKey(host, hash), ...expiryIndexesOf(host, record), idsKey(host)];
  keys.push(claimKey(host, claimId));
  if (withEntry) keys.push(unsettledKey(host));
  return keys;
}

/** What taking, giving back and keeping one claim send, built once from the record as the claim read it. */
export interface ClaimCalls {
  /** Runs claim.lua (with the entry, for a registration's claim); resolves with its answer. */
  readonly take: (tag: string) => Promise<unknown>;
  readonly giveBack: RedisWork;
  /** The use stands: recorded (a registration's claim) or just unmarked. */
  readonly keep: RedisWork;
}

/** One claim as taken: its invite as read (`raw`, the record's stored value), its id, and a registration's event. */
export interface ClaimTaken {
  readonly host: string;
  readonly hash: string;
  readonly raw: string;
  readonly record: InviteRecord;
  readonly claimId: string;
  readonly event: UnsettledEntry["event"] | undefined;
}

/**
 * Taking, giving back and keeping one claim; giving back and keeping each act once however often they are tried,
 * and call `settled` when either did.
 */
export function claimCalls(redis: RedisConnection, taken: ClaimTaken, settled: () => void): ClaimCalls {
  const { host, hash, raw, record, claimId, event } = taken;
  const keys = claimKeys(host, hash, record, claimId, event !== undefined);
  const max = String(maxOf(record));
  const args = [hash, raw, String(record.expires * 1000), String(record.expires), max, "marked"];
  if (event !== undefined) args.push(claimId);
  const marker = claimKey(host, claimId);
  const done = <T>(value: T): T => {
    settled();
    return value;
  };
  return {
    take: (tag) => {
      const takeArgs = [hash, tag, max, claimId];
      if (event !== undefined) takeArgs.push(entryText(hash, raw, event));
      return CLAIM.run(redis.client, keys, takeArgs);
    },
    giveBack: async () =>
      done(Number(await redis.bounded("give back", () => GIVE_BACK.run(redis.client, keys, args))) === 1),
    keep: async () => {
      if (event === undefined) return (await redis.bounded("keep", () => redis.client.del(marker))) === 1;
      const use = recordArguments(host, event);
      const run = () => SETTLE.run(redis.client, [unsettledKey(host), marker, ...use.keys], [claimId, ...use.args]);
      return done(Number(await redis.bounded("record use", run)) === 1);
    },
  };
}
