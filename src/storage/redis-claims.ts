/**
 * Using an invite from the bot's side, for servers without a registration hook of ours (docs/servers.md): the
 * same atomic claim as prosody/invites_redis_uses.lib.lua (docs/storage.md, "Counted uses"), so the outcomes
 * match Prosody's exactly — one account per single-use invite however many racers, counted uses stopping at the
 * cap, the last use removing every key — and a way to give the use back when the server then refuses.
 * Every claim of the bot writes a marker (`claim:ID`) with its use, and a use goes back only with its marker: at
 * most once, and also for a claim whose answer came after REDIS_TIMEOUT_MS or never (pending-redis-work.ts).
 * A registration's claim also writes its use event, signed, into `invite:{HOST}:unsettled` (redis-unsettled.ts):
 * keeping the use records it, once; and a use left unsettled by a bot that stopped is found again by unsettled().
 * The scripts, keys and arguments are in redis-claim-calls.ts.
 */

import { randomBytes } from "node:crypto";
import { inviterOf } from "../invites/record.js";
import type {
  ClaimOutcome,
  ClaimPurpose,
  InviteClaims,
  StoredInvite,
  UnsettledClaim,
  UseEvent,
} from "../invites/store.js";
import { idOfHash, tokenHash } from "../invites/token.js";
import { roomsOfRecord } from "../invites/use-rooms.js";
import type { Logger } from "../logger.js";
import { envelopeValue } from "./envelope.js";
import { recordKey, unsettledKey } from "./keys.js";
import { PendingRedisWork, type RedisWork } from "./pending-redis-work.js";
import { type InviteRecord, type SignedValue, type SigningKeys, verifyRecord } from "./record.js";
import { type ClaimTaken, claimCalls, RECORD_USE } from "./redis-claim-calls.js";
import type { RedisConnection } from "./redis-connection.js";
import { RedisInviteReads } from "./redis-invite-reads.js";
import { readEntry, recordArguments, signedFields } from "./redis-unsettled.js";

export class RedisClaims implements InviteClaims {
  readonly #pending: PendingRedisWork;
  readonly #log: Logger;
  /** Claims with an entry that this process still settles itself: unsettled() leaves them alone. */
  readonly #live = new Set<string>();
  /** The `for:LOCAL` lookup of usernames held for bound invites (src/invites/held-names.ts). */
  readonly #reads: RedisInviteReads;

  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
    log: Logger,
  ) {
    this.#log = log;
    this.#pending = new PendingRedisWork(log);
    this.#reads = new RedisInviteReads(redis, host, keys, log);
  }

  boundTo(local: string): Promise<StoredInvite[]> {
    return this.#reads.boundTo(local);
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
      const value = envelopeValue(raw);
      const record = verifyRecord(this.keys, host, hash, value);
      if (record === undefined || record.expires <= Date.now() / 1000) return { ok: false, reason: "gone" };
      const id = idOfHash(hash);
      // A registration's (or an existing account's join's) use event, signed now, goes into its entry with the use
      // (redis-unsettled.ts), with the group chats outside circles its record names.
      const event =
        purpose === undefined
          ? undefined
          : signedFields(this.keys, host, {
              kind: purpose.kind,
              inviter: inviterOf(record),
              invitee: purpose.invitee,
              invite: id,
              at: Math.floor(Date.now() / 1000),
              rooms: roomsOfRecord(record, host),
              // An account the bot holds for an admin is made only on approval (src/registration/held-registration.ts).
              ...(purpose.kind === "registered" && record.additional_data?.approval === true
                ? { held: "pending" as const }
                : {}),
            });
      const calls = this.#callsFor({ host, hash, raw, record, claimId, event });
      if (state.abandoned) return { ok: false, reason: "gone" };
      if (event !== undefined) this.#live.add(claimId);
      const script = calls.take((value as SignedValue).tag);
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
            await calls.keep().catch(() => {
              if (event !== undefined) this.#pending.add(calls.keep, id, "record");
            });
          },
        },
      };
    });
  }

  /** Giving back and keeping one claim (redis-claim-calls.ts); either one ends this process's hold on it. */
  #callsFor(taken: ClaimTaken) {
    return claimCalls(this.redis, taken, () => this.#live.delete(taken.claimId));
  }

  /**
   * The uses this side claimed more than `olderThanMs` ago and nobody settled (docs/storage.md, "Unsettled uses"),
   * except those this process still settles itself, each with its record (verified: the circles the account joins
   * before the use is kept). Entries that are not signed with our keys are removed.
   */
  async unsettled(olderThanMs: number): Promise<UnsettledClaim[]> {
    const host = this.host;
    const entries = await this.redis.bounded("unsettled", () => this.redis.client.hGetAll(unsettledKey(host)));
    const cutoff = Date.now() - olderThanMs;
    const found: UnsettledClaim[] = [];
    const forged: string[] = [];
    for (const [claimId, text] of Object.entries(entries)) {
      if (this.#live.has(claimId)) continue;
      const read = readEntry(this.keys, host, text);
      if (!read.ok && read.reason === "someone else's") continue;
      const record: InviteRecord | undefined = read.ok
        ? verifyRecord(this.keys, host, read.entry.hash, envelopeValue(read.entry.raw))
        : undefined;
      if (!read.ok || record === undefined) {
        this.#log.warn("Removing an unsettled use that is not signed with the signing key", { claimId });
        forged.push(claimId);
        continue;
      }
      const { entry } = read;
      if (entry.at > cutoff) continue;
      const calls = this.#callsFor({ host, hash: entry.hash, raw: entry.raw, record, claimId, event: entry.event });
      found.push({
        claimId,
        invitee: entry.event.invitee ?? "",
        id: idOfHash(entry.hash),
        record,
        giveBack: async () => {
          await calls.giveBack();
        },
        keep: async () => {
          await calls.keep();
        },
      });
    }
    // One round trip for all of them.
    if (forged.length > 0) {
      await this.redis.bounded("unsettled", () => this.redis.client.hDel(unsettledKey(host), forged));
    }
    return found;
  }

  async recordUse(event: UseEvent & { readonly invite: string }): Promise<void> {
    const { keys, args } = recordArguments(this.host, signedFields(this.keys, this.host, event));
    await this.redis.bounded("record use", () => RECORD_USE.run(this.redis.client, keys, args));
  }
}

interface ClaimState {
  abandoned: boolean;
  sent?: { script: Promise<unknown>; giveBack: RedisWork };
}
