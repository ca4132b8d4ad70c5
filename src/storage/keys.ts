/**
 * Redis key names, shared with the Prosody module (prosody/mod_invites_redis.lua).
 * docs/storage.md is the contract; change both sides together.
 */

/** Host-level entry: Prosody's `invite_token` map store, key (nil, TOKEN). */
export function tokenKey(host: string, token: string): string {
  return `invite:${host}:token:${token}`;
}

/** Inviter-level entry: key (INVITER_LOCALPART, TOKEN) → expires. */
export function inviterKey(host: string, inviterLocal: string, token: string): string {
  return `invite:${host}:inviter:${inviterLocal}:${token}`;
}

/** The prefix of every invite key of a host, for SCAN. */
export function hostPrefix(host: string): string {
  return `invite:${host}:`;
}

export type ParsedKey =
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "inviter"; readonly inviterLocal: string; readonly token: string };

/** Reads a key name back; local parts cannot contain ":" (RFC 7622 §3.3.1), tokens neither. */
export function parseKey(host: string, key: string): ParsedKey | undefined {
  const prefix = hostPrefix(host);
  if (!key.startsWith(prefix)) return undefined;
  const parts = key.slice(prefix.length).split(":");
  if (parts[0] === "token" && parts.length === 2 && parts[1]) return { kind: "token", token: parts[1] };
  if (parts[0] === "inviter" && parts.length === 3 && parts[1] && parts[2]) {
    return { kind: "inviter", inviterLocal: parts[1], token: parts[2] };
  }
  return undefined;
}

/** Rolling 24-hour invite quota of one requester: a sorted set of creation times (not part of Prosody's store). */
export function quotaKey(host: string, subject: string): string {
  return `invite-quota:${host}:${subject}`;
}

/** Who invited this bare JID (written by the Prosody module on use). */
export function invitedByKey(host: string, invitee: string): string {
  return `invited-by:${host}:${invitee}`;
}

/** Everyone this bare JID invited: a set (written by the Prosody module on use). */
export function inviteesKey(host: string, inviter: string): string {
  return `invitees:${host}:${inviter}`;
}

/** The Prosody module's stream of invite uses (read by the bot's consumer group). */
export function eventsKey(host: string): string {
  return `invite-events:${host}`;
}
