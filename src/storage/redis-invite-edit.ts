/**
 * Editing an invite in Redis (docs/storage.md, "Editing an invite"): the record is read and verified, the edited
 * record signed with the current key (the key stays with the bot: Redis cannot sign), then one script writes it with
 * its TTL, the TTL of its use count and every index score that holds the expiry, after checking that the record is
 * still the one read (its tag) and that the new cap is above the uses taken. Prosody's module verifies the record
 * and checks its `expires` on every use, so the edited record holds from the moment the script ran.
 */

import { maxUsesOf } from "../invites/record.js";
import { editedRecord, usesCapOf } from "../invites/record-edit.js";
import type { EditOutcome, InviteEdit } from "../invites/store.js";
import { encodeEnvelope, envelopeValue } from "./envelope.js";
import { recordKey, usedKey } from "./keys.js";
import { expiryIndexesOf, type SignedValue, type SigningKeys, signRecord, verifyRecord } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

// KEYS = rec, used, then every index scored by expiry (pending, by:…, for:…); ARGV = hash, the tag read, the new
// stored value, the new expiry in unix ms, then in unix s, the new cap (usesCapOf: N counted, 0 single, -1 not
// counted). Returns the uses taken (0 or more), -1 gone, -2 the cap is not above the uses taken, -3 changed since
// read. Only commands of the bot's ACL line (docker/redis/acl-rules.conf): GET SET DEL PEXPIREAT ZADD.
const EDIT = new RedisScript(`
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local ok, env = pcall(cjson.decode, raw)
if not ok or type(env) ~= 'table' or type(env.value) ~= 'table' or env.value.tag ~= ARGV[2] then return -3 end
local cap = tonumber(ARGV[6])
local used = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if cap >= 0 and used >= math.max(cap, 1) then return -2 end
redis.call('SET', KEYS[1], ARGV[3], 'PXAT', ARGV[4])
if cap > 1 then
  if used > 0 then redis.call('PEXPIREAT', KEYS[2], ARGV[4]) end
else
  redis.call('DEL', KEYS[2])
end
for i = 3, #KEYS do redis.call('ZADD', KEYS[i], ARGV[5], ARGV[1]) end
return used
`);

/** Reads again when another edit came between the read and the script; more than this is not a race but a fault. */
const MAX_TRIES = 3;

const GONE: EditOutcome = { ok: false, reason: "gone" };

export class RedisInviteEdit {
  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
  ) {}

  async edit(hash: string, change: InviteEdit): Promise<EditOutcome> {
    const { client } = this.redis;
    const host = this.host;
    return this.redis.bounded("edit", async () => {
      for (let tries = 0; tries < MAX_TRIES; tries += 1) {
        const value = envelopeValue(await client.get(recordKey(host, hash)));
        const record = verifyRecord(this.keys, host, hash, value);
        if (record === undefined || record.expires <= Date.now() / 1000) return GONE;
        const edited = editedRecord(record, change);
        const expiresMs = edited.expires * 1000;
        const stored = encodeEnvelope(signRecord(this.keys, host, hash, edited), expiresMs);
        const keys = [recordKey(host, hash), usedKey(host, hash), ...expiryIndexesOf(host, edited)];
        const args = [
          hash,
          (value as SignedValue).tag,
          stored,
          String(expiresMs),
          String(edited.expires),
          String(usesCapOf(edited)),
        ];
        const reply = Number(await EDIT.run(client, keys, args));
        if (reply === -1) return GONE;
        if (reply === -2) return { ok: false, reason: "used" };
        if (reply >= 0) {
          return { ok: true, invite: { hash, record: edited, used: maxUsesOf(edited) === undefined ? 0 : reply } };
        }
      }
      throw new Error("the invite's record changed on every try");
    });
  }
}
