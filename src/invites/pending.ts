/**
 * Pending invites as people see them in lists: a short id instead of the
 * token (a whole token is never shown after creation), what kind of invite it
 * is, whose it is, and how long it lasts.
 */
import { type InviteKind, inviterOf, kindOf, maxUsesOf } from "./record.js";
import type { StoredInvite } from "./store.js";
import { idOfHash, tokenHash } from "./token.js";

export interface PendingInvite {
  /** The first eight characters of the token's hash; reveals nothing of the token. */
  readonly id: string;
  readonly kind: InviteKind;
  /** Bare JID of whoever made it, when known (Prosody's command line records nobody). */
  readonly inviter: string | undefined;
  /** Unix seconds. */
  readonly expires: number;
  readonly allowsRegistration: boolean;
  readonly username?: string;
  readonly note?: string;
  readonly usesLeft?: number;
  readonly maxUses?: number;
  /** What to delete on revocation; never shown. */
  readonly stored: StoredInvite;
}

/** The short id of a token: SHA-256, base64url, eight characters (docs/storage.md, "Names"). */
export function inviteId(token: string): string {
  return idOfHash(tokenHash(token));
}

/** The invite as listed, or undefined when it has expired. */
export function toPending(stored: StoredInvite, now: number): PendingInvite | undefined {
  const { record, hash, used } = stored;
  if (record.expires <= now) return undefined;
  const data = record.additional_data ?? {};
  const maxUses = maxUsesOf(record);
  return {
    id: idOfHash(hash),
    kind: kindOf(record),
    inviter: inviterOf(record),
    expires: record.expires,
    allowsRegistration: record.allow_registration,
    ...(typeof data.username === "string" ? { username: data.username } : {}),
    ...(typeof data.note === "string" ? { note: data.note } : {}),
    ...(maxUses === undefined ? {} : { maxUses, usesLeft: Math.max(0, maxUses - used) }),
    stored,
  };
}
