/**
 * The group chats outside circles that a use of an invite names (docs/storage.md, "Use events"; docs/circles.md,
 * "Group chats on join"): the record's `additional_data.rooms`, which its use event carries as `rooms`, room JIDs
 * joined by one space. The Prosody module reads a record the same way (`valid_rooms` in
 * prosody/invites_redis_store.lib.lua), so both writers put the same text in the event and under its tag. Pure.
 */
import { normaliseBareJid } from "../jid.js";
import { MAX_INVITE_ROOMS } from "./circle-choice.js";
import type { InviteRecord } from "./record.js";

/** As many as an invite may name: a use event stays small. */
export const MAX_USE_ROOMS = MAX_INVITE_ROOMS;

/** The normalised room JID, or undefined: a bare JID node@domain, not an account of `host` (as validRoomJid). */
export function roomJid(text: string, host: string): string | undefined {
  const jid = normaliseBareJid(text);
  return jid === undefined || jid.endsWith(`@${host.toLowerCase()}`) ? undefined : jid;
}

/**
 * The rooms a use of `record` names: its valid room JIDs in its order, each once, at most MAX_USE_ROOMS. Anything
 * else is left out (the bot checked them when it made the invite; a record is signed, so this is the belt).
 */
export function roomsOfRecord(record: InviteRecord, host: string): string[] {
  const listed = record.additional_data?.rooms;
  const rooms: string[] = [];
  if (!Array.isArray(listed)) return rooms;
  for (const text of listed) {
    const room = typeof text === "string" ? roomJid(text.trim(), host) : undefined;
    if (room !== undefined && !rooms.includes(room) && rooms.length < MAX_USE_ROOMS) rooms.push(room);
  }
  return rooms;
}

/** The event's `rooms` field: the JIDs joined by one space; undefined when there are none (no field is written). */
export function roomsField(rooms: readonly string[]): string | undefined {
  return rooms.length === 0 ? undefined : rooms.join(" ");
}

/**
 * The rooms of an event's `rooms` field as read from the stream, or undefined when the field is malformed (an
 * empty part, a JID that is no room of another service, more than MAX_USE_ROOMS): a reader then takes the whole
 * entry as malformed. Absent or "" is none. Repeats are told once.
 */
export function parseRoomsField(text: string | undefined, host: string): string[] | undefined {
  if (text === undefined || text === "") return [];
  const parts = text.split(" ");
  if (parts.length > MAX_USE_ROOMS) return undefined;
  const rooms: string[] = [];
  for (const part of parts) {
    const room = part === "" ? undefined : roomJid(part, host);
    if (room === undefined) return undefined;
    if (!rooms.includes(room)) rooms.push(room);
  }
  return rooms;
}
