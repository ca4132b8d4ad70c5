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
