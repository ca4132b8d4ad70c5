/**
 * Using an invite from the bot's side, for servers without a registration hook of ours (docs/servers.md): the
 * same atomic claim as prosody/invites_redis_store.lib.lua (docs/storage.md, "Counted uses"), so the outcomes
 * match Prosody's exactly — one account per single-use invite however many racers, counted uses stopping at the
 * cap, the last use removing every key — and a way to give the use back when the server then refuses.
 * Every claim of the bot writes a marker (`claim:ID`) with its use, and a use goes back only with its marker: at
 * most once, and also for a claim whose answer came after REDIS_TIMEOUT_MS or never (pending-give-backs.ts).
 */

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { maxUsesOf } from "../invites/record.js";
import type { ClaimOutcome, InviteClaims, UseEvent } from "../invites/store.js";
import { idOfHash, tokenHash } from "../invites/token.js";
import type { Logger } from "../logger.js";
import { eventTag } from "./event-tag.js";
import { claimKey, eventsKey, idsKey, invitedByKey, inviteesKey, recordKey, usedKey } from "./keys.js";
import { type GiveBack, PendingGiveBacks } from "./pending-give-backs.js";
import { expiryIndexesOf, type InviteRecord, type SigningKeys, verifyRecord } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

/**
 * The Prosody module's own scripts (prosody/scripts/, beside the module that runs them too): one text for both
 * sides, so a use is taken and recorded the same way whoever takes it. Read once, when this file is loaded.
 */
function sharedScript(name: string): RedisScript {
  return new RedisScript(readFileSync(new URL(`../../prosody/scripts/${name}`, import.meta.url), "utf8"));
}

// KEYS = rec, used, indexes…, ids, marker; ARGV = hash, tag, max, claim id. Returns the uses left, -1 gone,
// -2 none left, -3 changed.
const CLAIM = sharedScript("claim.lua");

// KEYS as CLAIM; ARGV = hash, the record's raw value, expires (ms), expires (s), max, "marked". Returns 1 when a
// use went back: only while the claim's marker is there, which it deletes.
const GIVE_BACK = sharedScript("give_back.lua");

// KEYS = events[, invited-by, invitees]; ARGV = inviter or "", invitee, maxlen, then field/value pairs.
const RECORD_USE = sharedScript("record_use.lua");

/** The Prosody module's cap of the event stream (docs/storage.md, "Use events"). */
const EVENTS_MAXLEN = "100000";

function maxOf(record: InviteRecord): number {
  if (!record.reusable) return 0;
  return maxUsesOf(record) ?? -1;
}

export class RedisClaims implements InviteClaims {
  readonly #pending: PendingGiveBacks;

  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
    log: Logger,
  ) {
    this.#pending = new PendingGiveBacks(log);
  }

  /** Uses still to give back once Redis answers (for tests). */
  get pendingGiveBacks(): number {
    return this.#pending.size;
  }

  async claim(token: string): Promise<ClaimOutcome> {
    const hash = tokenHash(token);
    const claimId = randomBytes(12).toString("base64url");
    // A claim script whose answer misses REDIS_TIMEOUT_MS may take the use all the same: once Redis has answered
    // it (or dropped it), its marker says whether it did, and the use goes back. After the caller gave up, the
    // script is not sent at all.
    const state: { abandoned: boolean; sent?: { script: Promise<unknown>; giveBack: GiveBack } } = { abandoned: false };
    try {
      return await this.#claim(hash, claimId, state);
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

  async #claim(
    hash: string,
    claimId: string,
    state: { abandoned: boolean; sent?: { script: Promise<unknown>; giveBack: GiveBack } },
  ): Promise<ClaimOutcome> {
    const host = this.host;
    const marker = claimKey(host, claimId);
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
      const keys = [recordKey(host, hash), usedKey(host, hash), ...expiryIndexesOf(host, record), idsKey(host), marker];
      const max = maxOf(record);
      const args = [hash, raw, String(record.expires * 1000), String(record.expires), String(max), "marked"];
      const giveBack: GiveBack = async () =>
        Number(await this.redis.bounded("give back", () => GIVE_BACK.run(this.redis.client, keys, args))) === 1;
      if (state.abandoned) return { ok: false, reason: "gone" };
      const script = CLAIM.run(this.redis.client, keys, [hash, String(envelope.value?.tag), String(max), claimId]);
      state.sent = { script, giveBack };
      const left = Number(await script);
      if (left === -2) return { ok: false, reason: "used-up" };
      if (left < 0) return { ok: false, reason: "gone" };
      const id = idOfHash(hash);
      return {
        ok: true,
        claim: {
          hash,
          id,
          record,
          // Now, or as soon as Redis answers: a use the bot took and made no account with is never lost.
          giveBack: async () => {
            await giveBack().catch(() => this.#pending.add(giveBack, id));
          },
          keep: async () => {
            await this.redis.bounded("keep", () => this.redis.client.del(marker)).catch(() => {});
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
    // Signed like the module's own events (docs/storage.md, "Use events"): the bot reads only signed ones.
    args.push("tag", eventTag(this.keys, host, fields));
    await this.redis.bounded("record use", () => RECORD_USE.run(this.redis.client, keys, args));
  }
}
