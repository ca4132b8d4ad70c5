/**
 * What one claim of the bot sends to Redis (redis-claims.ts): the Prosody module's own scripts (prosody/scripts/,
 * beside the module that runs them too), one text for both sides, so a use is taken, given back and recorded the
 * same way whoever takes it, and the keys and arguments each takes for one claim.
 */
import { readFileSync } from "node:fs";
import { maxUsesOf } from "../invites/record.js";
import { claimKey, idsKey, recordKey, unsettledKey, usedKey } from "./keys.js";
import type { RedisWork } from "./pending-redis-work.js";
import { expiryIndexesOf, type InviteRecord } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";
import { settleCall, type UnsettledEntry } from "./redis-unsettled.js";

/** One of prosody/scripts/, read once, when this file is loaded. */
function sharedScript(name: string): RedisScript {
  return new RedisScript(readFileSync(new URL(`../../prosody/scripts/${name}`, import.meta.url), "utf8"));
}

// KEYS = rec, used, indexes…, ids, marker[, unsettled]; ARGV = hash, tag, max, claim id[, entry]. Returns the uses
// left, -1 gone, -2 none left, -3 changed.
export const CLAIM = sharedScript("claim.lua");

// KEYS as CLAIM; ARGV = hash, the record's raw value, expires (ms), expires (s), max, "marked"[, claim id]. Returns 1
// when a use went back: only while the claim's marker is there, which it deletes (and the entry with it).
const GIVE_BACK = sharedScript("give_back.lua");

// KEYS = events[, invited-by, invitees]; ARGV = inviter or "", invitee, maxlen, then field/value pairs.
export const RECORD_USE = sharedScript("record_use.lua");

/** The claim script's cap: 0 single use, -1 reusable without a cap, else the counted invite's uses. */
export function maxOf(record: InviteRecord): number {
  if (!record.reusable) return 0;
  return maxUsesOf(record) ?? -1;
}

/** The keys of claim.lua and give_back.lua for one claim: the invite's, its marker[, the unsettled entries]. */
export function claimKeys(host: string, hash: string, record: InviteRecord, claimId: string, withEntry: boolean) {
  const keys = [recordKey(host, hash), usedKey(host, hash), ...expiryIndexesOf(host, record), idsKey(host)];
  keys.push(claimKey(host, claimId));
  if (withEntry) keys.push(unsettledKey(host));
  return keys;
}

/** What giving back and keeping one claim send, built once from the record as the claim read it. */
export interface ClaimCalls {
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

/** Giving back and keeping one claim, each acting once however often it is tried; `settled` when either did. */
export function claimCalls(redis: RedisConnection, taken: ClaimTaken, settled: () => void): ClaimCalls {
  const { host, hash, raw, record, claimId, event } = taken;
  const keys = claimKeys(host, hash, record, claimId, event !== undefined);
  const args = [hash, raw, String(record.expires * 1000), String(record.expires), String(maxOf(record)), "marked"];
  if (event !== undefined) args.push(claimId);
  const marker = claimKey(host, claimId);
  const done = <T>(value: T): T => {
    settled();
    return value;
  };
  return {
    giveBack: async () =>
      done(Number(await redis.bounded("give back", () => GIVE_BACK.run(redis.client, keys, args))) === 1),
    keep: async () => {
      if (event === undefined) return (await redis.bounded("keep", () => redis.client.del(marker))) === 1;
      const call = settleCall(host, claimId, marker, event);
      const run = () => call.script.run(redis.client, call.keys, call.args);
      return done(Number(await redis.bounded("record use", run)) === 1);
    },
  };
}
