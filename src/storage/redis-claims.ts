/**
 * Using an invite from the bot's side, for servers without a registration hook of ours (docs/servers.md): the
 * same atomic claim as prosody/invites_redis_uses.lib.lua (docs/storage.md, "Counted uses"), so the outcomes
 * match Prosody's exactly — one account per single-use invite however many racers, counted uses stopping at the
 * cap, the last use removing every key — and a way to give the use back when the server then refuses.
 * Every claim of the bot writes a marker (`claim:ID`) with its use, and a use goes back only with its marker: at
 * most once, and also for a claim whose answer came after REDIS_TIMEOUT_MS or never (pending-redis-work.ts).
 * A registration's claim also writes its use event, signed, into `invite:{HOST}:unsettled` (redis-unsettled.ts):
 * keeping the use records it, once; and a use left unsettled by a bot that stopped is found again by unsettled().
 */

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { inviterOf, maxUsesOf } from "../invites/record.js";
import type { ClaimOutcome, ClaimPurpose, InviteClaims, UnsettledClaim, UseEvent } from "../invites/store.js";
import { idOfHash, tokenHash } from "../invites/token.js";
import type { Logger } from "../logger.js";
import { claimKey, eventsKey, idsKey, recordKey, unsettledKey, usedKey } from "./keys.js";
import { PendingRedisWork, type RedisWork } from "./pending-redis-work.js";
import { expiryIndexesOf, type InviteRecord, type SigningKeys, verifyRecord } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";
import {
  EVENTS_MAXLEN,
  entryText,
  eventArguments,
  readEntry,
  settleCall,
  signedFields,
  type UnsettledEntry,
} from "./redis-unsettled.js";

/**
 * The Prosody module's own scripts (prosody/scripts/, beside the module that runs them too): one text for both
 * sides, so a use is taken and recorded the same way whoever takes it. Read once, when this file is loaded.
 */
function sharedScript(name: string): RedisScript {
  return new RedisScript(readFileSync(new URL(`../../prosody/scripts/${name}`, import.meta.url), "utf8"));
}

// KEYS = rec, used, indexes…, ids, marker[, unsettled]; ARGV = hash, tag, max, claim id[, entry]. Returns the uses
// left, -1 gone, -2 none left, -3 changed.
const CLAIM = sharedScript("claim.lua");

// KEYS as CLAIM; ARGV = hash, the record's raw value, expires (ms), expires (s), max, "marked"[, claim id]. Returns 1
// when a use went back: only while the claim's marker is there, which it deletes (and the entry with it).
const GIVE_BACK = sharedScript("give_back.lua");

// KEYS = events[, invited-by, invitees]; ARGV = inviter or "", invitee, maxlen, then field/value pairs.
const RECORD_USE = sharedScript("record_use.lua");

function maxOf(record: InviteRecord): number {
  if (!record.reusable) return 0;
  return maxUsesOf(record) ?? -1;
}

/** What giving back and keeping one claim send, built once from the record as the claim read it. */
interface ClaimCalls {
  readonly giveBack: RedisWork;
  /** The use stands: recorded (a registration's claim) or just unmarked. */
  readonly keep: RedisWork;
}

export class RedisClaims implements InviteClaims {
  readonly #pending: PendingRedisWork;
  readonly #log: Logger;
  /** Claims with an entry that this process still settles itself: unsettled() leaves them alone. */
  readonly #live = new Set<string>();

  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
    log: Logger,
  ) {
    this.#log = log;
    this.#pending = new PendingRedisWork(log);
  }

  /** Give-backs and records still waiting for Redis to answer (for tests). */
  get pendingWork(): number {
    return this.#pending.size;
  }

  async claim(token: string, purpose?: ClaimPurpose): Promise<ClaimOutcome> {
    const hash = tokenHash(token);
    const claimId = randomBytes(12).toString("base64url");
    // A claim script whose answer misses REDIS_TIMEOUT_MS may take the use all the same: once Redis has answered
    // it (or dropped it), its marker says whether it did, and the use goes back. After the caller gave up, the
    // script is not sent at all.
    const state: ClaimState = { abandoned: false };
    try {
      return await this.#claim(hash, claimId, state, purpose);
    } catch (error) {
      state.abandoned = true;
      if (state.sent !== undefined) {
        const { script, giveBack } = state.sent;
        const settle = (): void => this.#pending.add(giveBack, idOfHash(hash));
        void script.then(settle, settle);
      }
      throw error;
    }
  }

  async #claim(hash: string, claimId: string, state: ClaimState, purpose?: ClaimPurpose): Promise<ClaimOutcome> {
    const host = this.host;
    return this.redis.bounded("claim", async () => {
      const raw = await this.redis.client.get(recordKey(host, hash));
      if (raw === null) return { ok: false, reason: "gone" };
      let envelope: { value?: { tag?: unknown }; expires?: unknown };
      try {
        envelope = JSON.parse(raw) as typeof envelope;
      } catch {
        return { ok: false, reason: "gone" };
      }
      const record = verifyRecord(this.keys, host, hash, envelope.value);
      if (record === undefined || record.expires <= Date.now() / 1000) return { ok: false, reason: "gone" };
      const id = idOfHash(hash);
      // A registration's use event, signed now, goes into its entry with the use (redis-unsettled.ts).
      const event =
        purpose === undefined
          ? undefined
          : signedFields(this.keys, host, {
              kind: purpose.kind,
              inviter: inviterOf(record),
              invitee: purpose.invitee,
              invite: id,
              at: Math.floor(Date.now() / 1000),
            });
      const calls = this.#callsFor(hash, raw, record, claimId, event);
      if (state.abandoned) return { ok: false, reason: "gone" };
      const args = [hash, String(envelope.value?.tag), String(maxOf(record)), claimId];
      if (event !== undefined) {
        args.push(entryText(hash, raw, event));
        this.#live.add(claimId);
      }
      const script = CLAIM.run(this.redis.client, this.#claimKeys(hash, record, claimId, event !== undefined), args);
      state.sent = { script, giveBack: calls.giveBack };
      const left = Number(await script);
      if (left < 0) this.#live.delete(claimId);
      if (left === -2) return { ok: false, reason: "used-up" };
      if (left < 0) return { ok: false, reason: "gone" };
      return {
        ok: true,
        claim: {
          hash,
          id,
          record,
          // Now, or as soon as Redis answers: a use the bot took and made no account with is never lost.
          giveBack: async () => {
            await calls.giveBack().catch(() => this.#pending.add(calls.giveBack, id));
          },
          // A registration's use is recorded now, or as soon as Redis answers (then once, whatever the tries).
          keep: async () => {
            if (event === undefined) {
              await calls.keep().catch(() => {});
              return;
            }
            await calls.keep().catch(() => this.#pending.add(calls.keep, id, "record"));
          },
        },
      };
    });
  }

  /** The keys of claim.lua and give_back.lua for one claim: the invite's, its marker[, the unsettled entries]. */
  #claimKeys(hash: string, record: InviteRecord, claimId: string, withEntry: boolean): string[] {
    const host = this.host;
    const keys = [recordKey(host, hash), usedKey(host, hash), ...expiryIndexesOf(host, record), idsKey(host)];
    keys.push(claimKey(host, claimId));
    if (withEntry) keys.push(unsettledKey(host));
    return keys;
  }

  /** Giving back and keeping one claim, each acting once however often it is tried. */
  #callsFor(
    hash: string,
    raw: string,
    record: InviteRecord,
    claimId: string,
    event: UnsettledEntry["event"] | undefined,
  ): ClaimCalls {
    const keys = this.#claimKeys(hash, record, claimId, event !== undefined);
    const args = [hash, raw, String(record.expires * 1000), String(record.expires), String(maxOf(record)), "marked"];
    if (event !== undefined) args.push(claimId);
    const marker = claimKey(this.host, claimId);
    const settled = <T>(value: T): T => {
      this.#live.delete(claimId);
      return value;
    };
    return {
      giveBack: async () =>
        settled(
          Number(await this.redis.bounded("give back", () => GIVE_BACK.run(this.redis.client, keys, args))) === 1,
        ),
      keep: async () => {
        if (event === undefined) return (await this.redis.bounded("keep", () => this.redis.client.del(marker))) === 1;
        const call = settleCall(this.host, claimId, marker, event);
        const run = () => call.script.run(this.redis.client, call.keys, call.args);
        return settled(Number(await this.redis.bounded("record use", run)) === 1);
      },
    };
  }

  /**
   * The uses this side claimed more than `olderThanMs` ago and nobody settled (docs/storage.md, "Unsettled uses"),
   * except those this process still settles itself. Entries that are not signed with our keys are removed.
   */
  async unsettled(olderThanMs: number): Promise<UnsettledClaim[]> {
    const host = this.host;
    const entries = await this.redis.bounded("unsettled", () => this.redis.client.hGetAll(unsettledKey(host)));
    const cutoff = Date.now() - olderThanMs;
    const found: UnsettledClaim[] = [];
    for (const [claimId, text] of Object.entries(entries)) {
      if (this.#live.has(claimId)) continue;
      const read = readEntry(this.keys, host, text);
      if (!read.ok && read.reason === "someone else's") continue;
      const record = read.ok ? this.#recordOf(read.entry) : undefined;
      if (!read.ok || record === undefined) {
        this.#log.warn("Removing an unsettled use that is not signed with the signing key", { claimId });
        await this.redis.bounded("unsettled", () => this.redis.client.hDel(unsettledKey(host), claimId));
        continue;
      }
      const { entry } = read;
      if (entry.at > cutoff) continue;
      const calls = this.#callsFor(entry.hash, entry.raw, record, claimId, entry.event);
      found.push({
        claimId,
        invitee: entry.event.invitee ?? "",
        id: idOfHash(entry.hash),
        giveBack: async () => {
          await calls.giveBack();
        },
        keep: async () => {
          await calls.keep();
        },
      });
    }
    return found;
  }

  #recordOf(entry: UnsettledEntry): InviteRecord | undefined {
    try {
      const envelope = JSON.parse(entry.raw) as { value?: unknown };
      return verifyRecord(this.keys, this.host, entry.hash, envelope.value);
    } catch {
      return undefined;
    }
  }

  async recordUse(event: UseEvent & { readonly invite: string }): Promise<void> {
    const host = this.host;
    const fields = signedFields(this.keys, host, event);
    const { keys, pairs } = eventArguments(host, fields);
    const args = [event.inviter ?? "", event.invitee, EVENTS_MAXLEN, ...pairs];
    await this.redis.bounded("record use", () => RECORD_USE.run(this.redis.client, [eventsKey(host), ...keys], args));
  }
}

interface ClaimState {
  abandoned: boolean;
  sent?: { script: Promise<unknown>; giveBack: RedisWork };
}
