/**
 * Writing invite records with their indexes (docs/storage.md, layout v2): a save and a removal are each one step on
 * the bot's connection — a MULTI/EXEC, or for a user's invite the quota script that takes its place and runs the same
 * writes (redis-quota-script.ts: one round trip) — every key of one call in the host's hash slot, so Prosody never
 * sees an invite without its indexes, or the reverse. The summary's logs (redis-invite-stats.ts) are written in the
 * same step.
 */
import type { Invite } from "../invites/invite.js";
import { recordOf } from "../invites/record.js";
import { type QuotaClaim, type QuotaDecision, QuotaRefusedError, type StoredInvite } from "../invites/store.js";
import { idOfHash, tokenHash } from "../invites/token.js";
import type { Logger } from "../logger.js";
import { encodeEnvelope } from "./envelope.js";
import { idsKey, logKey, recordKey, usedKey } from "./keys.js";
import { expiryIndexesOf, type InviteRecord, type SignedValue, type SigningKeys, signRecord } from "./record.js";
import type { RedisConnection } from "./redis-connection.js";
import type { RedisClient, RedisClientHandle } from "./redis-handle.js";
import { createdLogWrites, queueEndedLog } from "./redis-invite-stats.js";
import { quotaDecisionOf, quotaScriptCall, warnUncheckedOnce } from "./redis-quota-call.js";
import { SAVE_WITHIN_QUOTA } from "./redis-quota-script.js";
import { queueWrites, type RedisWrite, scriptArgsOf } from "./redis-write.js";

type Multi = ReturnType<RedisConnection["client"]["multi"]>;

/** The writes of one invite: the record with its TTL, and its index entries (docs/storage.md). */
export function recordWrites(host: string, hash: string, value: SignedValue, record: InviteRecord): RedisWrite[] {
  const atMs = record.expires * 1000;
  return [
    { op: "SET", key: recordKey(host, hash), value: encodeEnvelope(value, atMs), atMs },
    ...expiryIndexesOf(host, record).map(
      (key): RedisWrite => ({ op: "ZADD", key, score: record.expires, member: hash }),
    ),
    { op: "ZADD", key: idsKey(host), score: 0, member: hash },
  ];
}

/**
 * Queues the removal of one invite (its record first, its use count, its index entries, its expiry's log entry: it
 * will not expire); returns how many commands.
 */
function queueRemoval(multi: Multi, host: string, hash: string, record: InviteRecord): number {
  multi.del(recordKey(host, hash));
  multi.del(usedKey(host, hash));
  const indexes = [...expiryIndexesOf(host, record), idsKey(host)];
  for (const index of indexes) multi.zRem(index, hash);
  queueEndedLog(multi, host, idOfHash(hash));
  return 3 + indexes.length;
}

export class RedisInviteWrites {
  readonly #unchecked: () => void;

  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
    private readonly log: Logger,
  ) {
    this.#unchecked = warnUncheckedOnce(log);
  }

  async save(invite: Invite, claim?: QuotaClaim): Promise<void> {
    const host = this.host;
    const hash = tokenHash(invite.token);
    const record = recordOf(invite);
    const value = signRecord(this.keys, host, hash, record);
    const writes = [
      ...recordWrites(host, hash, value, record),
      ...createdLogWrites(host, idOfHash(hash), record, Math.floor(Date.now() / 1000)),
    ];
    let saves: RedisClientHandle | undefined;
    let decision: QuotaDecision = { allowed: true };
    try {
      await this.redis.bounded("save", async () => {
        saves = await this.redis.savesHandle();
        if (claim === undefined) await queueWrites(saves.client.multi(), writes).exec();
        else decision = await this.#saveWithinQuota(saves.client, claim, writes);
        if (decision.allowed) await this.#confirmOnReplicas(saves);
      });
    } catch (error) {
      // The requester is told that no invite was created: make it true even if Redis runs the save late.
      if (this.redis.isReady && saves !== undefined) this.#undoSave(saves.client, hash, record);
      throw error;
    }
    if (!decision.allowed) throw new QuotaRefusedError(decision);
  }

  /** The claim's place and the writes in one script (redis-quota-script.ts); refused, nothing is written. */
  async #saveWithinQuota(
    client: RedisClient,
    claim: QuotaClaim,
    writes: readonly RedisWrite[],
  ): Promise<QuotaDecision> {
    const { keys, args } = quotaScriptCall(this.host, claim);
    const reply = await SAVE_WITHIN_QUOTA.run(client, keys, [...args, ...scriptArgsOf(writes)]);
    return quotaDecisionOf(reply, this.#unchecked);
  }

  /**
   * Behind Sentinel, waits until REDIS_SENTINEL_CONFIRM_REPLICAS replicas (by default every one the Sentinels see
   * up: sentinel-replicas.ts) have the write (WAIT, within half the timeout): a failover promotes a replica, and an
   * invite it does not have would be handed out and lost. Fewer in time fails the save, which is then undone, and
   * the requester hears "try again" (docs/redis.md, "Failover without losing invites"). Not "the replicas that are
   * connected": the old master loses the promoted replica first, and its writes after that are the ones dropped.
   */
  async #confirmOnReplicas(saves: RedisClientHandle): Promise<void> {
    const wanted = await saves.replicasToConfirm();
    if (wanted === 0) return;
    const confirmed = await saves.client.wait(wanted, Math.max(1, Math.floor(this.redis.timeoutMs / 2)));
    if (confirmed < wanted) throw new Error(`only ${confirmed} of ${wanted} replicas confirmed the invite in time`);
  }

  async remove(invites: readonly StoredInvite[]): Promise<number> {
    if (invites.length === 0) return 0;
    const host = this.host;
    return this.redis.bounded("remove", async () => {
      const multi = this.redis.client.multi();
      // Where each invite's first reply (the DEL of its record) is: invites are in different indexes.
      const firsts: number[] = [];
      let queued = 0;
      for (const { hash, record } of invites) {
        firsts.push(queued);
        queued += queueRemoval(multi, host, hash, record);
      }
      const replies = await multi.exec();
      // An invite counts as removed when its record still existed.
      return firsts.filter((at) => Number(replies[at]) > 0).length;
    });
  }

  /**
   * Removes an invite whose save failed, on the same connection: a save that timed out may
   * still be run by Redis, and if it is, this runs after it (commands of one connection run in order).
   */
  #undoSave(client: RedisClient, hash: string, record: InviteRecord): void {
    const id = idOfHash(hash);
    const multi = client.multi();
    queueRemoval(multi, this.host, hash, record);
    multi.zRem(logKey(this.host, "created"), id);
    multi
      .exec()
      .then(() => {
        this.log.info("Removed an invite whose save timed out", { id });
        this.redis.events.emit("invite-save-undone", { id });
      })
      .catch((error: unknown) =>
        this.log.error("An invite whose save timed out may still be in Redis; revoke it if it shows in a list", {
          id,
          error: (error as Error).message,
        }),
      );
  }
}
