/**
 * What is kept of an invite once it is created (docs/storage.md, "The invite
 * record"): Prosody's fields without the token and what contains it, and the
 * rules both the bot and Prosody read from it. Pure.
 */
import { bareJid } from "../jid.js";
import type { Invite, InviteData } from "./invite.js";

export interface InviteRecord {
  readonly type: "register" | "roster";
  readonly jid: string;
  readonly allow_registration: boolean;
  readonly additional_data?: InviteData;
  readonly created_at: number;
  readonly expires: number;
  readonly reusable: boolean;
}

/** The record of a newly created invite: everything but what reveals the token. */
export function recordOf(invite: Invite): InviteRecord {
  return {
    type: invite.type,
    jid: invite.jid,
    allow_registration: invite.allow_registration,
    ...(invite.additional_data === undefined ? {} : { additional_data: invite.additional_data }),
    created_at: invite.created_at,
    expires: invite.expires,
    reusable: invite.reusable ?? false,
  };
}

/** Who made the invite: the contact invite's JID, or the bare JID of its source (none from Prosody's command line). */
export function inviterOf(record: InviteRecord): string | undefined {
  if (record.type === "roster") return bareJid(record.jid);
  const source = record.additional_data?.source;
  return typeof source === "string" ? bareJid(source) : undefined;
}

/**
 * The username an invite is bound to, in lower case, as the `for:LOCAL` index files it: `additional_data.username`
 * (also on a contact invite that registers: XEP-0401 roster-subscription), else an account invite's (or reset
 * link's) `jid = LOCAL@HOST`. The Prosody module reads it the same way (`bound_local_of`).
 */
export function boundLocalOf(record: InviteRecord): string | undefined {
  const named = record.additional_data?.username;
  if (typeof named === "string") return named.toLowerCase();
  if (record.type !== "register") return undefined;
  const at = record.jid.indexOf("@");
  return at === -1 ? undefined : record.jid.slice(0, at).toLowerCase();
}

/**
 * The only username an account invite registers (XEP-0445), as its inviter wrote it: the bot's
 * `additional_data.username`, else the local part of `jid` (Prosody's own invites for one user). The Prosody
 * module reads it the same way (`bound_username`).
 */
export function boundUsernameOf(record: InviteRecord): string | undefined {
  const named = record.additional_data?.username;
  return typeof named === "string" ? named : boundLocalOf(record);
}

/** The circles the record names, by id (additional_data.groups, Prosody 13's key): its strings, in order. */
export function circleIdsOf(record: InviteRecord): string[] {
  const groups: unknown = record.additional_data?.groups;
  return Array.isArray(groups) ? groups.filter((id): id is string => typeof id === "string") : [];
}

/** The cap of a counted reusable invite, if it has one. */
export function maxUsesOf(record: InviteRecord): number | undefined {
  const max = record.additional_data?.max_uses;
  return record.reusable && typeof max === "number" && max > 1 ? max : undefined;
}

/** What kind of invite a record is, as lists show it: a contact invite, an account invite, or a password reset link. */
export type InviteKind = "contact" | "account" | "reset";

export function kindOf(record: InviteRecord): InviteKind {
  if (record.type === "roster") return "contact";
  return record.additional_data?.allow_reset ? "reset" : "account";
}

/** An invite as the store holds it: its token's hash, its record and the uses counted so far (store.ts). */
export interface StoredInvite {
  readonly hash: string;
  readonly record: InviteRecord;
  readonly used: number;
}

/**
 * The accounts an invite can still register, for the tree budget (quota.ts): none for a contact-only invite or a
 * reset link; the uses left of a counted one (`used` taken); 1 otherwise, an uncounted reusable invite (an admin's)
 * included. redis-quota-script.ts counts the same in Lua.
 */
export function registrationsLeft(record: InviteRecord, used: number): number {
  if (!record.allow_registration || record.additional_data?.allow_reset !== undefined) return 0;
  const max = maxUsesOf(record);
  return max === undefined ? 1 : Math.max(max - used, 0);
}
