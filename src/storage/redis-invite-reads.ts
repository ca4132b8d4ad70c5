/**
 * Reading invite records (docs/storage.md, layout v3): pages of an index (pruned of expired entries as they are
 * read), lookups by id (`ZRANGE … BYLEX`) and by token. Records are read through keyv (the values are keyv
 * envelopes, envelope.ts) and verified; forged ones are skipped, missing ones leave the index.
 */
import KeyvRedis, { Keyv } from "@keyv/redis";
import { kindOf, maxUsesOf } from "../invites/record.js";
import type { InvitePage, PageQuery, StoredInvite } from "../invites/store.js";
import { isInviteId, tokenHash } from "../invites/token.js";
import type { Logger } from "../logger.js";
import { decodeEnvelope } from "./envelope.js";
import { byInviterKey, forUsernameKey, idsKey, pendingKey, recordKey, usedKey } from "./keys.js";
import { type InviteRecord, type SigningKeys, verifyRecord } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

// One page of the index KEYS[1], in one round trip: first removes up to ARGV[2]
// members scored at or below ARGV[1] (expired) from it and from KEYS[2..] (ids,
// pending), then returns { live members up to the score ARGV[5] in all, the ARGV[4] of them from ARGV[3] }.
const PAGE = new RedisScript(`
local expired = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))
if #expired > 0 then
  for i = 1, #KEYS do redis.call('ZREM', KEYS[i], unpack(expired)) end
end
local live = '(' .. ARGV[1]
return {
  redis.call('ZCOUNT', KEYS[1], live, ARGV[5]),
  redis.call('ZRANGE', KEYS[1], live, ARGV[5], 'BYSCORE', 'LIMIT', tonumber(ARGV[3]), tonumber(ARGV[4])),
}
`);

/** How many expired index members one read removes at most (the rest go with the next reads). */
const PRUNE_BATCH = 1_000;
/**
 * A list of one kind reads the index's live members and their records, then counts and pages those of the kind: the
 * kind is in the record only. Records are read this many at a time, and at most MAX_KIND_SCAN of the soonest to
 * expire are looked at (docs/storage.md, "Listing").
 */
const KIND_BATCH = 500;
export const MAX_KIND_SCAN = 100_000;
/** How many hashes one id can match (ids are 48 bits: a second one is already rare). */
const ID_MATCHES = 10;
/** How many invites bound to one username are read (one or two is usual; a name held once is held). */
const BOUND_MATCHES = 100;

export class RedisInviteReads {
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
    // keyv deletes a value whose envelope has expired while Redis still keeps the key (the moment between the two
    // clocks): with DEL, which the bot's ACL user may run, not UNLINK (docs/security.md).
    const adapter = new KeyvRedis(redis.client, { throwOnConnectError: true, throwOnErrors: true, useUnlink: false });
    // Plain JSON and our own full key names, so that Prosody reads the same bytes.
    this.#keyv = new Keyv({
      store: adapter,
      useKeyPrefix: false,
      namespace: undefined,
      serialize: JSON.stringify,
      deserialize: decodeEnvelope as never,
      throwOnErrors: true,
    });
    adapter.on("error", () => {}); // reported by the operation that met it
    this.#keyv.on("error", () => {});
  }

  async listPage({ inviter, kind, expiresBy, offset, limit }: PageQuery): Promise<InvitePage> {
    const host = this.#host;
    const index = inviter === undefined ? pendingKey(host) : byInviterKey(host, inviter);
    const now = String(Math.floor(Date.now() / 1000));
    const keys = inviter === undefined ? [index, idsKey(host)] : [index, idsKey(host), pendingKey(host)];
    const upTo = expiresBy === undefined ? "+inf" : String(expiresBy);
    const page = (from: number, count: number) =>
      this.#redis.bounded("list", async () => {
        const args = [now, String(PRUNE_BATCH), String(from), String(count), upTo];
        return (await PAGE.run(this.#redis.client, keys, args)) as [number, string[]];
      });
    if (kind === undefined) {
      const [total, hashes] = await page(offset, limit);
      return { invites: await this.#redis.bounded("list", () => this.#load(hashes, index)), total };
    }
    const [, hashes] = await page(0, MAX_KIND_SCAN);
    const invites: StoredInvite[] = [];
    let total = 0;
    for (let at = 0; at < hashes.length; at += KIND_BATCH) {
      const batch = hashes.slice(at, at + KIND_BATCH);
      for (const stored of await this.#redis.bounded("list", () => this.#load(batch, index))) {
        if (kindOf(stored.record) !== kind) continue;
        if (total >= offset && invites.length < limit) invites.push(stored);
        total += 1;
      }
    }
    return { invites, total };
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

  /** The pending invites bound to the username `local` (`for:LOCAL`, pruned as it is read), verified. */
  async boundTo(local: string): Promise<StoredInvite[]> {
    const index = forUsernameKey(this.#host, local.toLowerCase());
    const now = String(Math.floor(Date.now() / 1000));
    return this.#redis.bounded("read", async () => {
      const args = [now, String(PRUNE_BATCH), "0", String(BOUND_MATCHES), "+inf"];
      const [, hashes] = (await PAGE.run(this.#redis.client, [index], args)) as [number, string[]];
      return this.#load(hashes, index);
    });
  }

  /** The record of this token as stored (gone with its TTL at expiry); whether it can be used is the domain's. */
  async findByToken(token: string): Promise<StoredInvite | undefined> {
    return this.#redis.bounded("read", async () => {
      const [found] = await this.#load([tokenHash(token)], idsKey(this.#host));
      return found;
    });
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
    const found: { hash: string; record: InviteRecord }[] = [];
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
