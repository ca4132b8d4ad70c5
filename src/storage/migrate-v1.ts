/**
 * Layout v1 → v2's keys (docs/storage.md, "Versions and migration"); layout.ts then sets the marker to 3, which adds
 * circles and changes none of these keys. Each step is idempotent and atomic per key, so a migration cut short is
 * finished by the next start. Runs on a single Redis: v1 keys of one host are in many slots.
 */

import type { InviteData } from "../invites/invite.js";
import type { InviteRecord } from "../invites/record.js";
import type { Logger } from "../logger.js";
import { envelopeValue } from "./envelope.js";
import { eventTag } from "./event-tag.js";
import { eventsKey, invitedByKey, inviteesKey, quotaKey, usedKey } from "./keys.js";
import { type SigningKeys, signRecord, tokenHash } from "./record.js";
import type { RedisClient } from "./redis-client.js";
import { EVENT_GROUP } from "./redis-events.js";
import { recordWrites } from "./redis-invite-writes.js";
import { queueWrites } from "./redis-write.js";

export interface MigrationCounts {
  invites: number;
  quotas: number;
  relations: number;
  events: number;
}

interface V1Invite {
  type?: unknown;
  jid?: unknown;
  allow_registration?: unknown;
  additional_data?: Record<string, unknown>;
  created_at?: unknown;
  expires?: unknown;
  reusable?: unknown;
}

/** Redis glob characters in a host name must match literally. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/gu, "\\$&");
}

async function scanAll(client: RedisClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) keys.push(...batch);
  return keys;
}

/** The v2 record of a v1 invite (`uses_left` becomes the used counter), or undefined for anything else. */
function recordFromV1(v1: V1Invite): { record: InviteRecord; used: number } | undefined {
  if ((v1.type !== "register" && v1.type !== "roster") || typeof v1.jid !== "string") return undefined;
  if (typeof v1.expires !== "number") return undefined;
  const { uses_left: usesLeft, ...data } = v1.additional_data ?? {};
  const max = typeof data.max_uses === "number" ? data.max_uses : undefined;
  const used = max !== undefined && typeof usesLeft === "number" ? Math.max(0, max - usesLeft) : 0;
  return {
    record: {
      type: v1.type,
      jid: v1.jid,
      allow_registration: v1.allow_registration === true,
      ...(v1.additional_data === undefined ? {} : { additional_data: data as InviteData }),
      created_at: typeof v1.created_at === "number" ? v1.created_at : Math.floor(Date.now() / 1000),
      expires: v1.expires,
      reusable: v1.reusable === true,
    },
    used,
  };
}

async function migrateInvites(client: RedisClient, host: string, keys: SigningKeys): Promise<number> {
  const prefix = `invite:${host}:`;
  const byToken = new Map<string, { token?: string; inviters: { key: string; local: string }[] }>();
  for (const key of await scanAll(client, `${globEscape(prefix)}*`)) {
    const parts = key.slice(prefix.length).split(":");
    const token = parts.at(-1);
    if (token === undefined) continue;
    const entry = byToken.get(token) ?? { inviters: [] };
    byToken.set(token, entry);
    if (parts[0] === "token" && parts.length === 2) entry.token = key;
    else if (parts[0] === "inviter" && parts.length === 3 && parts[1]) entry.inviters.push({ key, local: parts[1] });
  }
  const now = Math.floor(Date.now() / 1000);
  let migrated = 0;
  for (const [token, entry] of byToken) {
    const v1Keys = [...(entry.token === undefined ? [] : [entry.token]), ...entry.inviters.map((i) => i.key)];
    const values = await client.mGet(v1Keys);
    const invite = entry.token === undefined ? undefined : (envelopeValue(values[0] ?? null) as V1Invite | undefined);
    const firstInviter = entry.inviters[0];
    const contactExpiry = firstInviter === undefined ? undefined : envelopeValue(values.at(-1) ?? null);
    const converted =
      invite !== undefined
        ? recordFromV1(invite)
        : firstInviter !== undefined && typeof contactExpiry === "number"
          ? recordFromV1({ type: "roster", jid: `${firstInviter.local}@${host}`, expires: contactExpiry })
          : undefined;
    const multi = client.multi();
    if (converted !== undefined && converted.record.expires > now) {
      const hash = tokenHash(token);
      const { record, used } = converted;
      queueWrites(multi, recordWrites(host, hash, signRecord(keys, host, hash, record), record));
      if (used > 0) multi.set(usedKey(host, hash), String(used), { PXAT: record.expires * 1000 });
      migrated += 1;
    }
    multi.del(v1Keys);
    await multi.exec();
  }
  return migrated;
}

/** Quota, invited-by and invitees keys: renamed, or merged into a v2 key that exists already. */
async function migrateSmallKeys(client: RedisClient, host: string): Promise<{ quotas: number; relations: number }> {
  const h = globEscape(host);
  let quotas = 0;
  let relations = 0;
  for (const key of await scanAll(client, `invite-quota:${h}:*`)) {
    const target = quotaKey(host, key.slice(`invite-quota:${host}:`.length));
    const ttl = await client.pTTL(key);
    const multi = client.multi().zUnionStore(target, [target, key]).del(key);
    if (ttl > 0) multi.pExpire(target, ttl);
    await multi.exec();
    quotas += 1;
  }
  for (const key of await scanAll(client, `invited-by:${h}:*`)) {
    // The v1 entry is older: it names the first inviter, which is what the key keeps.
    await client.rename(key, invitedByKey(host, key.slice(`invited-by:${host}:`.length)));
    relations += 1;
  }
  for (const key of await scanAll(client, `invitees:${h}:*`)) {
    const target = inviteesKey(host, key.slice(`invitees:${host}:`.length));
    await client.multi().sUnionStore(target, [target, key]).del(key).exec();
    relations += 1;
  }
  return { quotas, relations };
}

/**
 * The v1 entries the group has not acknowledged (pending, or never delivered), appended to the v2 stream with the
 * tag v2 entries carry (docs/storage.md, "Use events"): layout 1 signed nothing, and the bot tells only signed
 * entries. What the v1 bot told already is not carried over; who invited whom has keys of its own.
 */
async function migrateEvents(client: RedisClient, host: string, keys: SigningKeys, log: Logger): Promise<number> {
  const source = `invite-events:${host}`;
  const target = eventsKey(host);
  if ((await client.exists(source)) === 0) return 0;
  const groups = (await client.xInfoGroups(source)) as unknown as { name: string; "last-delivered-id": string }[];
  const group = groups.find((g) => g.name === EVENT_GROUP);
  const pending = group === undefined ? [] : await client.xPendingRange(source, EVENT_GROUP, "-", "+", 100_000);
  const pendingIds = new Set(pending.map((p) => p.id));
  const lastDelivered = group?.["last-delivered-id"] ?? "0-0";
  // One transaction: a migration cut short carries nothing twice.
  const multi = client.multi();
  let carried = 0;
  for (const entry of await client.xRange(source, "-", "+")) {
    if (group !== undefined && !pendingIds.has(entry.id) && !isAfter(entry.id, lastDelivered)) continue;
    multi.xAdd(target, "*", { ...entry.message, tag: eventTag(keys, host, entry.message) });
    carried += 1;
  }
  await multi.del(source).exec();
  log.info("Carried unacknowledged layout-1 use events over to the layout-2 stream", { host, count: carried });
  return carried;
}

/** Stream ids `ms-seq`: is `a` after `b`? */
function isAfter(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am > bm || (am === bm && as > bs);
}

export async function migrateV1(options: {
  client: RedisClient;
  host: string;
  keys: SigningKeys;
  log: Logger;
}): Promise<MigrationCounts> {
  const { client, host, keys, log } = options;
  const invites = await migrateInvites(client, host, keys);
  const { quotas, relations } = await migrateSmallKeys(client, host);
  const events = await migrateEvents(client, host, keys, log);
  return { invites, quotas, relations, events };
}
