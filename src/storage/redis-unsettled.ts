/**
 * Unsettled uses (docs/storage.md, "Unsettled uses"), the bot's side of what prosody/invites_redis_unsettled.lib.lua
 * does for Prosody: a registration's claim writes, in the same script as the use, an entry into
 * `invite:{HOST}:unsettled` under its claim id, holding the use event (signed now) and the record as read (to give
 * the use back). prosody/scripts/settle.lua records the event and removes the entry in one step, give_back.lua
 * removes it with the use; so a use the bot took and then did not settle (it stopped, or Redis was away until then)
 * is found again by the next sweep, and settled by whether the account exists: exactly one record, or the use back.
 */
import type { UseEvent } from "../invites/store.js";
import { roomsField } from "../invites/use-rooms.js";
import { EVENT_HELD_FIELD, EVENT_ROOMS_FIELD, type EventFields, eventTag, eventTagValid } from "./event-tag.js";
import { eventsKey, invitedByKey, inviteesKey, joinedKey } from "./keys.js";
import type { SigningKeys } from "./record.js";

/** The Prosody module's cap of the event stream (docs/storage.md, "Use events"). */
const EVENTS_MAXLEN = "100000";

const ENTRY_VERSION = 1;
/** Who wrote an entry: each side sweeps its own (Prosody looks for the account itself, the bot asks the server). */
const WRITER = "bot";

/** What an entry holds, as both sides write it (JSON). */
export interface UnsettledEntry {
  readonly v: number;
  readonly by: string;
  /** Unix milliseconds of the claim. */
  readonly at: number;
  readonly hash: string;
  /** The record's stored value as the claim read it. */
  readonly raw: string;
  /** The use event's fields as strings, with its tag. */
  readonly event: EventFields;
}

/**
 * The signed fields of `event` (name → string, with its tag), as the event stream holds them: `rooms` only when the
 * event names group chats, `held` only for a held registration (event-tag.ts).
 */
export function signedFields(
  keys: SigningKeys,
  host: string,
  event: UseEvent & { readonly invite: string },
): EventFields {
  const fields: Record<string, string> = { kind: event.kind, invitee: event.invitee, invite: event.invite };
  if (event.inviter !== undefined) fields.inviter = event.inviter;
  fields.at = String(event.at);
  const rooms = roomsField(event.rooms);
  if (rooms !== undefined) fields[EVENT_ROOMS_FIELD] = rooms;
  if (event.held !== undefined) fields[EVENT_HELD_FIELD] = event.held;
  return { ...fields, tag: eventTag(keys, host, fields) };
}

/**
 * The keys and arguments of record_use.lua for this (signed) event: KEYS = events, joined[, invited-by, invitees];
 * ARGV = inviter or "", invitee, maxlen, then the field/value pairs, the tag last (as the module writes them).
 * settle.lua takes the same after its own.
 */
export function recordArguments(host: string, fields: EventFields): { keys: string[]; args: string[] } {
  const keys = [eventsKey(host), joinedKey(host)];
  if (fields.inviter !== undefined) {
    keys.push(invitedByKey(host, fields.invitee ?? ""), inviteesKey(host, fields.inviter));
  }
  const args = [fields.inviter ?? "", fields.invitee ?? "", EVENTS_MAXLEN];
  for (const name of ["kind", "inviter", "invitee", "invite", "at", EVENT_ROOMS_FIELD, EVENT_HELD_FIELD, "tag"]) {
    const value = fields[name];
    if (value !== undefined) args.push(name, value);
  }
  return { keys, args };
}

/** The text of the entry a claim writes with its use. */
export function entryText(hash: string, raw: string, event: EventFields, now = Date.now()): string {
  const entry: UnsettledEntry = { v: ENTRY_VERSION, by: WRITER, at: now, hash, raw, event };
  return JSON.stringify(entry);
}

/** An entry read back: the bot's own, parsed and checked, or why not. */
export type ReadEntry =
  | { readonly ok: true; readonly entry: UnsettledEntry }
  | { readonly ok: false; readonly reason: "someone else's" | "unreadable" | "unsigned" };

/** Parses one entry and checks that it is the bot's and that its event is signed with our keys. */
export function readEntry(keys: SigningKeys, host: string, text: string): ReadEntry {
  let entry: Partial<UnsettledEntry>;
  try {
    entry = JSON.parse(text) as Partial<UnsettledEntry>;
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  if (entry.v !== ENTRY_VERSION || typeof entry.event !== "object" || entry.event === null) {
    return { ok: false, reason: "unreadable" };
  }
  if (entry.by !== WRITER) return { ok: false, reason: "someone else's" };
  if (typeof entry.at !== "number" || typeof entry.hash !== "string" || typeof entry.raw !== "string") {
    return { ok: false, reason: "unreadable" };
  }
  if (!eventTagValid(keys, host, entry.event)) return { ok: false, reason: "unsigned" };
  return { ok: true, entry: entry as UnsettledEntry };
}
