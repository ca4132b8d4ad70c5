/**
 * Signed use events (docs/storage.md, "Use events"): each entry of `invite:{HOST}:events` carries a `tag`, a MAC of
 * its other fields with the invite signing key, so that the bot tells people only about uses that the Prosody module
 * (or the bot itself, as registration hook) recorded, and not about entries that anyone with write access to Redis
 * can add. The same MAC as `event_tag` in prosody/invites_redis_store.lib.lua.
 */
import { timingSafeEqual } from "node:crypto";
import { macOf, type SigningKeys } from "./record.js";

/** Neither the record tag's context nor the relay proof's: no MAC made for one passes for another. */
export const EVENT_CONTEXT = "xmpp-invite-bot/event/0";

/** The fields a tag covers, in this order after the host; an absent field counts as "". */
export const EVENT_FIELDS = ["kind", "inviter", "invitee", "invite", "at"] as const;

/**
 * The group chats outside circles (room JIDs joined by one space): covered as one more part after `at`, and only when
 * the entry has them, so an entry without keeps exactly the tag it had before the field existed (older modules and
 * bots stay compatible).
 */
export const EVENT_ROOMS_FIELD = "rooms";

/**
 * How a held account is held (src/invites/approvals.ts): covered as `held:WAY` after the rooms, only when the entry
 * has it, so that every other entry keeps its tag (a rooms part is room JIDs, never `held:…`).
 */
export const EVENT_HELD_FIELD = "held";

export type EventFields = Readonly<Partial<Record<string, string>>>;

function macWith(key: string, host: string, fields: EventFields): Buffer {
  const parts = [host, ...EVENT_FIELDS.map((name) => fields[name] ?? "")];
  const rooms = fields[EVENT_ROOMS_FIELD];
  if (rooms !== undefined && rooms !== "") parts.push(rooms);
  const held = fields[EVENT_HELD_FIELD];
  if (held !== undefined && held !== "") parts.push(`held:${held}`);
  return macOf(key, EVENT_CONTEXT, parts);
}

/**
 * base64url(HMAC-SHA256(key, EVENT_CONTEXT \n host \n kind \n inviter \n invitee \n invite \n at[ \n rooms][ \n held:WAY])),
 * current key; `rooms` and `held` only when the entry has them.
 */
export function eventTag(keys: SigningKeys, host: string, fields: EventFields): string {
  return macWith(keys.current, host, fields).toString("base64url");
}

/**
 * Whether the entry's `tag` is the MAC of its fields for this host, with the current or an old key. Every key is
 * tried and compared in constant time, so the time taken tells nothing about the MAC.
 */
export function eventTagValid(keys: SigningKeys, host: string, fields: EventFields): boolean {
  const tag = fields.tag ?? "";
  const given = Buffer.from(tag, "base64url");
  if (given.length !== 32 || given.toString("base64url") !== tag) return false;
  let valid = false;
  for (const key of [keys.current, ...keys.old]) {
    if (timingSafeEqual(macWith(key, host, fields), given)) valid = true;
  }
  return valid;
}
