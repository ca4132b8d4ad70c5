import type { Invite } from "../invites/invite.js";
import { inviterKey, tokenKey } from "./keys.js";

export interface StoreEntry {
  readonly key: string;
  readonly value: unknown;
  /** Milliseconds until Redis drops the key. */
  readonly ttl: number;
}

/**
 * The entries Prosody's mod_invites would write for this invite (DESIGN.md §3):
 * the invite itself under its token when it allows registration, and the
 * expiry under (inviter, token) for contact invites.
 */
export function entriesFor(host: string, invite: Invite, nowMs: number): StoreEntry[] {
  const ttl = Math.max(1, invite.expires * 1000 - nowMs);
  const entries: StoreEntry[] = [];
  if (invite.allow_registration) entries.push({ key: tokenKey(host, invite.token), value: invite, ttl });
  if (invite.type === "roster") {
    const inviter = invite.jid.slice(0, invite.jid.lastIndexOf("@"));
    entries.push({ key: inviterKey(host, inviter, invite.token), value: invite.expires, ttl });
  }
  return entries;
}
