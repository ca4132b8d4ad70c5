/**
 * Signed invite records (docs/storage.md, "The invite record"): what is stored
 * for an invite, without its token, and the HMAC tag that lets both the bot
 * and Prosody tell a record they wrote from one written by anyone else with
 * access to Redis.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { boundLocalOf, type InviteRecord, inviterOf } from "../invites/record.js";
import { byInviterKey, forUsernameKey, pendingKey } from "./keys.js";

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

export type { InviteRecord };

const TAG_CONTEXT = "xmpp-invite-bot/2";

/** How an invite is named in Redis; defined with the token (re-exported for the storage side). */
export { idOfHash, tokenHash } from "../invites/token.js";

/**
 * HMAC-SHA256 with an invite signing key over `context` and `fields`, one a line: every MAC the bot and the Prosody
 * module exchange (a record's tag, the relay proof), the same on both sides (`mac` in invites_redis_store.lib.lua).
 * Each use has its own context, so that no MAC made for one can pass for another.
 */
export function macOf(key: string, context: string, fields: readonly string[]): Buffer {
  return createHmac("sha256", key)
    .update([context, ...fields].join("\n"))
    .digest();
}

/**
 * Whether `tag` (base64url) is the MAC of `fields` under `context` with the current or an old key. Every key is
 * tried and each compared in constant time, so the time taken tells nothing about the MAC.
 */
export function macVerifies(keys: SigningKeys, context: string, fields: readonly string[], tag: string): boolean {
  const given = Buffer.from(tag, "base64url");
  if (given.length !== 32) return false;
  let matches = false;
  for (const key of [keys.current, ...keys.old]) {
    if (timingSafeEqual(macOf(key, context, fields), given)) matches = true;
  }
  return matches;
}

function tagWith(key: string, host: string, hash: string, record: string): Buffer {
  return macOf(key, TAG_CONTEXT, [host, hash, record]);
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
export function verifyRecord(keys: SigningKeys, host: string, hash: string, value: unknown): InviteRecord | undefined {
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
