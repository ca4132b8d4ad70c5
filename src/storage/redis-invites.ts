/**
 * Invite records and their indexes in Redis (docs/storage.md, layout v2).
 * Records are read through keyv (the values are keyv envelopes); writes and
 * index upkeep are MULTI/EXEC and scripts on the same connection, every key of
 * one call in the host's hash slot.
 */
import KeyvRedis, { Keyv } from "@keyv/redis";
import type { Invite } from "../invites/invite.js";
import { maxUsesOf, recordOf } from "../invites/record.js";
import type { InvitePage, PageQuery, StoredInvite } from "../invites/store.js";
import { idOfHash, isInviteId, tokenHash } from "../invites/token.js";
import type { Logger } from "../logger.js";
import { byInviterKey, idsKey, pendingKey, recordKey, usedKey } from "./keys.js";
import {
  expiryIndexesOf,
  type InviteRecord,
  type SignedValue,
  type SigningKeys,
  signRecord,
  verifyRecord,
} from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

// One page of the index KEYS[1], in one round trip: first removes up to ARGV[2]
// members scored at or below ARGV[1] (expired) from it and from KEYS[2..] (ids,
// pending), then returns { live members in all, the ARGV[4] of them from ARGV[3] }.
const PAGE = new RedisScript(`
local expired = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
if #expired > 0 then
  for i = 1, #KEYS do redis.call('ZREM', KEYS[i], unpack(expired)) end
end
local live = '(' .. ARGV[1]
return {
  redis.call('ZCOUNT', KEYS[1], live, '+inf'),
  redis.call('ZRANGE', KEYS[1], live, '+inf', 'BYSCORE', 'LIMIT', tonumber(ARGV[3]), tonumber(ARGV[4])),
}
`);

/** How many expired index members one read removes at most (the rest go with the next reads). */
const PRUNE_BATCH = 1_000;
/** How many hashes one id can match (ids are 48 bits: a second one is already rare). */
const ID_MATCHES = 10;

type Multi = ReturnType<RedisConnection["client"]["multi"]>;

/** Queues the writes of one invite: the record with its TTL, and its index entries (docs/storage.md). */
export function queueRecordWrite(
  multi: Multi,
  host: string,
  hash: string,
  value: SignedValue,
  record: InviteRecord,
): Multi {
  const expiresMs = record.expires * 1000;
  multi.set(recordKey(host, hash), JSON.stringify({ value, expires: expiresMs }), { PXAT: expiresMs });
  for (const index of expiryIndexesOf(host, record)) multi.zAdd(index, { score: record.expires, value: hash });
  multi.zAdd(idsKey(host), { score: 0, value: hash });
  return multi;
}

/** Queues the removal of one invite (its record first, its use count, its index entries); returns how many commands. */
function queueRemoval(multi: Multi, host: string, hash: string, record: InviteRecord): number {
  multi.del(recordKey(host, hash));
  multi.del(usedKey(host, hash));
  const indexes = [...expiryIndexesOf(host, record), idsKey(host)];
  for (const index of indexes) multi.zRem(index, hash);
  return 2 + indexes.length;
}

export class RedisInvites {
  readonly #redis: RedisConnection;
  readonly #host: string;
  readonly #keys: SigningKeys;
  readonly #log: Logger;
  readonly #keyv: Keyv;

  constructor(redis: RedisConnection, host: string, keys: SigningKeys, log: Logger) {
    this.#redis = redis;
    this.#host = host;
    this.#keys = keys;
    this.#log = log;
    const adapter = new KeyvRedis(redis.client, { throwOnConnectError: true, throwOnErrors: true });
    // Plain JSON and our own full key names, so that Prosody reads the same bytes.
    this.#keyv = new Keyv({
      store: adapter,
      useKeyPrefix: false,
      namespace: undefined,
      serialize: JSON.stringify,
      deserialize: parseOrNothing as never,
      throwOnErrors: true,
    });
    adapter.on("error", () => {}); // reported by the operation that met it
    this.#keyv.on("error", () => {});
  }

  async save(invite: Invite): Promise<void> {
    const host = this.#host;
    const hash = tokenHash(invite.token);
    const record = recordOf(invite);
    const value = signRecord(this.#keys, host, hash, record);
    try {
      await this.#redis.bounded("save", async () => {
        // One MULTI/EXEC: Prosody never sees an invite without its indexes, or the reverse.
        await queueRecordWrite(this.#redis.client.multi(), host, hash, value, record).exec();
      });
    } catch (error) {
      // The requester is told that no invite was created: make it true even if Redis runs the save late.
      if (this.#redis.isReady) this.#undoSave(hash, record);
      throw error;
    }
  }

  async listPage({ inviter, offset, limit }: PageQuery): Promise<InvitePage> {
    const host = this.#host;
    const index = inviter === undefined ? pendingKey(host) : byInviterKey(host, inviter);
    const now = String(Math.floor(Date.now() / 1000));
    return this.#redis.bounded("list", async () => {
      const keys = index === pendingKey(host) ? [index, idsKey(host)] : [index, idsKey(host), pendingKey(host)];
      const args = [now, String(PRUNE_BATCH), String(offset), String(limit)];
      const [total, hashes] = (await PAGE.run(this.#redis.client, keys, args)) as [number, string[]];
      return { invites: await this.#load(hashes, index), total };
    });
  }

  async findById(id: string): Promise<StoredInvite[]> {
    if (!isInviteId(id)) return [];
    return this.#redis.bounded("read", async () => {
      const hashes = await this.#redis.client.zRange(idsKey(this.#host), `[${id}`, `[${id}\u00ff`, {
        BY: "LEX",
        LIMIT: { offset: 0, count: ID_MATCHES },
      });
      return this.#load(hashes, idsKey(this.#host));
    });
  }

  /** The record of this token as stored (gone with its TTL at expiry); whether it can be used is the domain's. */
  async findByToken(token: string): Promise<StoredInvite | undefined> {
    return this.#redis.bounded("read", async () => {
      const [found] = await this.#load([tokenHash(token)], idsKey(this.#host));
      return found;
    });
  }

  async remove(invites: readonly StoredInvite[]): Promise<number> {
    if (invites.length === 0) return 0;
    const host = this.#host;
    return this.#redis.bounded("remove", async () => {
      const multi = this.#redis.client.multi();
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
  #undoSave(hash: string, record: InviteRecord): void {
    const id = idOfHash(hash);
    const multi = this.#redis.client.multi();
    queueRemoval(multi, this.#host, hash, record);
    multi
      .exec()
      .then(() => this.#log.info("Removed an invite whose save timed out", { id }))
      .catch((error: unknown) =>
        this.#log.error("An invite whose save timed out may still be in Redis; revoke it if it shows in a list", {
          id,
          error: (error as Error).message,
        }),
      );
  }

  /**
   * The verified records of these hashes, with the uses counted invites have taken.
   * Missing records (gone by TTL or deleted) leave their index entry behind: removed here.
   * Records whose tag does not verify are skipped and reported.
   */
  async #load(hashes: readonly string[], index: string): Promise<StoredInvite[]> {
    if (hashes.length === 0) return [];
    const host = this.#host;
    const values = await this.#keyv.getMany<unknown>(hashes.map((hash) => recordKey(host, hash)));
    const found: { hash: string; record: NonNullable<ReturnType<typeof verifyRecord>> }[] = [];
    const missing: string[] = [];
    let forged = 0;
    for (const [i, hash] of hashes.entries()) {
      const value = values[i];
      if (value === undefined || value === null) {
        missing.push(hash);
        continue;
      }
      const record = verifyRecord(this.#keys, host, hash, value);
      if (record === undefined) forged += 1;
      else found.push({ hash, record });
    }
    if (forged > 0) {
      this.#log.warn("Ignoring invite records whose signature does not verify (written without the signing key)", {
        count: forged,
      });
    }
    if (missing.length > 0) await this.#redis.client.zRem(index, missing);
    const counted = found.filter(({ record }) => maxUsesOf(record) !== undefined);
    const usedValues =
      counted.length === 0 ? [] : await this.#redis.client.mGet(counted.map((c) => usedKey(host, c.hash)));
    const used = new Map(counted.map((c, i) => [c.hash, Number(usedValues[i] ?? 0) || 0]));
    return found.map(({ hash, record }) => ({ hash, record, used: used.get(hash) ?? 0 }));
  }
}

/** Anything that is not JSON is not a record of ours: read as absent. */
function parseOrNothing(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
