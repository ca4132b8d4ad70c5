/**
 * Using an invite from the bot's side, for servers without a registration hook of ours (docs/servers.md): the
 * same atomic claim as prosody/invites_redis_store.lib.lua (docs/storage.md, "Counted uses"), so the outcomes
 * match Prosody's exactly — one account per single-use invite however many racers, counted uses stopping at the
 * cap, the last use removing every key — and a way to give the use back when the server then refuses.
 */

import { readFileSync } from "node:fs";
import { maxUsesOf } from "../invites/record.js";
import type { ClaimOutcome, InviteClaims, UseEvent } from "../invites/store.js";
import { idOfHash, tokenHash } from "../invites/token.js";
import { eventsKey, idsKey, invitedByKey, inviteesKey, recordKey, usedKey } from "./keys.js";
import { expiryIndexesOf, type InviteRecord, type SigningKeys, verifyRecord } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

/**
 * The Prosody module's own scripts (prosody/scripts/, beside the module that runs them too): one text for both
 * sides, so a use is taken and recorded the same way whoever takes it. Read once, when this file is loaded.
 */
function sharedScript(name: string): RedisScript {
  return new RedisScript(readFileSync(new URL(`../../prosody/scripts/${name}`, import.meta.url), "utf8"));
}

// KEYS = rec, used, indexes…, ids; ARGV = hash, tag, max. Returns the uses left, -1 gone, -2 none left, -3 changed.
const CLAIM = sharedScript("claim.lua");

// Gives one use back: KEYS as CLAIM; ARGV = hash, the record's raw value, expires (ms), expires (s), max.
// A counted invite still stored gets its count lowered; one whose claim removed it (its last use, or a single
// use) is written back with its indexes, unless it has expired meanwhile.
const GIVE_BACK = new RedisScript(`
local max = tonumber(ARGV[5])
if max < 0 then return 0 end
if max > 1 and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DECR', KEYS[2])
  return 1
end
local ttl = tonumber(ARGV[3]) - tonumber(redis.call('TIME')[1]) * 1000
if ttl <= 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl, 'NX')
if max > 1 then redis.call('SET', KEYS[2], max - 1, 'PX', ttl) end
for i = 3, #KEYS - 1 do redis.call('ZADD', KEYS[i], ARGV[4], ARGV[1]) end
redis.call('ZADD', KEYS[#KEYS], 0, ARGV[1])
return 1
`);

// KEYS = events[, invited-by, invitees]; ARGV = inviter or "", invitee, maxlen, then field/value pairs.
const RECORD_USE = sharedScript("record_use.lua");

/** The Prosody module's cap of the event stream (docs/storage.md, "Use events"). */
const EVENTS_MAXLEN = "100000";

function maxOf(record: InviteRecord): number {
  if (!record.reusable) return 0;
  return maxUsesOf(record) ?? -1;
}

export class RedisClaims implements InviteClaims {
  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
  ) {}

  async claim(token: string): Promise<ClaimOutcome> {
    const host = this.host;
    const hash = tokenHash(token);
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
      const keys = [recordKey(host, hash), usedKey(host, hash), ...expiryIndexesOf(host, record), idsKey(host)];
      const max = maxOf(record);
      const left = Number(await CLAIM.run(this.redis.client, keys, [hash, String(envelope.value?.tag), String(max)]));
      if (left === -2) return { ok: false, reason: "used-up" };
      if (left < 0) return { ok: false, reason: "gone" };
      const args = [hash, raw, String(record.expires * 1000), String(record.expires), String(max)];
      return {
        ok: true,
        claim: {
          hash,
          id: idOfHash(hash),
          record,
          giveBack: async () => {
            await this.redis.bounded("give back", () => GIVE_BACK.run(this.redis.client, keys, args));
          },
        },
      };
    });
  }

  async recordUse(event: UseEvent): Promise<void> {
    const host = this.host;
    const keys = [eventsKey(host)];
    const args = [event.inviter ?? "", event.invitee, EVENTS_MAXLEN];
    if (event.inviter !== undefined) keys.push(invitedByKey(host, event.invitee), inviteesKey(host, event.inviter));
    const fields: Record<string, string | undefined> = {
      kind: event.kind,
      inviter: event.inviter,
      invitee: event.invitee,
      invite: event.invite,
      at: String(event.at),
    };
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) args.push(name, value);
    await this.redis.bounded("record use", () => RECORD_USE.run(this.redis.client, keys, args));
  }
}
