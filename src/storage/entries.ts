import type { Invite } from "../invites/invite.js";
import type { StoredInvite } from "../invites/store.js";
import { inviterKey, parseKey, tokenKey } from "./keys.js";

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

/** Groups decoded key/value pairs of one host by token (the reverse of entriesFor). */
export function groupByToken(host: string, pairs: Iterable<readonly [string, unknown]>): StoredInvite[] {
  const byToken = new Map<string, { token: string; invite?: Invite; inviters: { local: string; expires: number }[] }>();
  for (const [key, value] of pairs) {
    const parsed = parseKey(host, key);
    if (parsed === undefined || value === undefined || value === null) continue;
    const entry = byToken.get(parsed.token) ?? { token: parsed.token, inviters: [] };
    byToken.set(parsed.token, entry);
    if (parsed.kind === "token" && typeof value === "object") entry.invite = value as Invite;
    if (parsed.kind === "inviter" && typeof value === "number")
      entry.inviters.push({ local: parsed.inviterLocal, expires: value });
  }
  return [...byToken.values()];
}

/** Every key that holds part of these invites. */
export function keysOf(host: string, invites: readonly StoredInvite[]): string[] {
  return invites.flatMap(({ token, inviters }) => [
    tokenKey(host, token),
    ...inviters.map(({ local }) => inviterKey(host, local, token)),
  ]);
}
