/**
 * Signed invite records (docs/storage.md, "The invite record"): what is stored
 * for an invite, without its token, and the HMAC tag that lets both the bot
 * and Prosody tell a record they wrote from one written by anyone else with
 * access to Redis.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Invite, InviteData } from "../invites/invite.js";
import { bareJid } from "../jid.js";
import { byInviterKey, forUsernameKey, pendingKey } from "./keys.js";

/** The invite as stored: Prosody's fields without `token`, `uri` and `landing_page`. */
export interface InviteRecord {
  readonly type: "register" | "roster";
  readonly jid: string;
  readonly allow_registration: boolean;
  readonly additional_data?: InviteData;
  readonly created_at: number;
  readonly expires: number;
  readonly reusable: boolean;
}

/** The current signing key and the old ones still accepted (rotation). */
export interface SigningKeys {
  readonly current: string;
  readonly old: readonly string[];
}

/** The value inside keyv's envelope. */
export interface SignedValue {
  readonly record: string;
  readonly tag: string;
}

const TAG_CONTEXT = "xmpp-invite-bot/2";

/** base64url(SHA-256(token)), 43 characters: how Redis names an invite. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** The short id lists and events show: the first 8 characters of the hash. */
export function idOfHash(hash: string): string {
  return hash.slice(0, 8);
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

function tagWith(key: string, host: string, hash: string, record: string): Buffer {
  return createHmac("sha256", key).update(`${TAG_CONTEXT}\n${host}\n${hash}\n${record}`).digest();
}

/** Serialises and signs a record for the key `rec:HASH` of `host`. */
export function signRecord(keys: SigningKeys, host: string, hash: string, record: InviteRecord): SignedValue {
  const text = JSON.stringify(record);
  return { record: text, tag: tagWith(keys.current, host, hash, text).toString("base64url") };
}

/**
 * The record if its tag verifies with the current or an old key, else undefined.
 * Constant-time comparison; any malformed value is simply not a record.
 */
export function verifyRecord(
  keys: SigningKeys,
  host: string,
  hash: string,
  value: unknown,
): InviteRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { record, tag } = value as Partial<SignedValue>;
  if (typeof record !== "string" || typeof tag !== "string") return undefined;
  const given = Buffer.from(tag, "base64url");
  if (given.length !== 32) return undefined;
  const matches = [keys.current, ...keys.old].some((key) => timingSafeEqual(tagWith(key, host, hash, record), given));
  if (!matches) return undefined;
  try {
    const parsed = JSON.parse(record) as InviteRecord;
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: InviteRecord): boolean {
  return (
    (value.type === "register" || value.type === "roster") &&
    typeof value.jid === "string" &&
    typeof value.expires === "number" &&
    typeof value.created_at === "number"
  );
}

/** Who made the invite (docs/storage.md): the contact invite's JID, or the bare JID of its source. */
export function inviterOf(record: InviteRecord): string | undefined {
  if (record.type === "roster") return bareJid(record.jid);
  const source = record.additional_data?.source;
  return typeof source === "string" ? bareJid(source) : undefined;
}

/** The username an account invite is bound to (also reset links), from `jid = LOCAL@HOST`. */
export function boundLocalOf(record: InviteRecord): string | undefined {
  if (record.type !== "register") return undefined;
  const at = record.jid.indexOf("@");
  return at === -1 ? undefined : record.jid.slice(0, at).toLowerCase();
}

/** The cap of a counted reusable invite, if it has one. */
export function maxUsesOf(record: InviteRecord): number | undefined {
  const max = record.additional_data?.max_uses;
  return record.reusable && typeof max === "number" && max > 1 ? max : undefined;
}

/** Every index an invite is in, scored by expiry (`ids` is scored 0 and listed apart). */
export function expiryIndexesOf(host: string, record: InviteRecord): string[] {
  const inviter = inviterOf(record);
  const bound = boundLocalOf(record);
  return [
    pendingKey(host),
    ...(inviter === undefined ? [] : [byInviterKey(host, inviter)]),
    ...(bound === undefined ? [] : [forUsernameKey(host, bound)]),
  ];
}


