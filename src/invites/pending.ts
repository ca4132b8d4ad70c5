/**
 * Pending invites as people see them in lists: a short id instead of the
 * token (DESIGN.md §2: never show a whole token after creation), what kind of
 * invite it is, whose it is, and how long it lasts.
 */
import { createHash } from "node:crypto";
import { bareJid } from "../jid.js";
import type { StoredInvite } from "./store.js";

export interface PendingInvite {
  /** Eight characters derived from the token; reveals nothing of it. */
  readonly id: string;
  readonly kind: "contact" | "account" | "reset";
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

/** A short, stable id for a token: SHA-256, base64url, eight characters. */
export function inviteId(token: string): string {
  return createHash("sha256").update(token).digest("base64url").slice(0, 8);
}

function inviterOf({ invite, inviters }: StoredInvite, host: string): string | undefined {
  if (invite?.type === "roster") return bareJid(invite.jid);
  const local = inviters[0]?.local;
  if (local !== undefined) return `${local}@${host}`;
  const source = invite?.additional_data?.source;
  return typeof source === "string" ? bareJid(source) : undefined;
}

/** The invite as listed, or undefined when it has expired. */
export function toPending(stored: StoredInvite, host: string, now: number): PendingInvite | undefined {
  const { invite, inviters } = stored;
  const expires = invite?.expires ?? Math.max(...inviters.map((i) => i.expires));
  if (!Number.isFinite(expires) || expires <= now) return undefined;
  const data = invite?.additional_data ?? {};
  const kind = invite === undefined || invite.type === "roster" ? "contact" : data.allow_reset ? "reset" : "account";
  return {
    id: inviteId(stored.token),
    kind,
    inviter: inviterOf(stored, host),
    expires,
    allowsRegistration: invite?.allow_registration ?? false,
    ...(typeof data.username === "string" ? { username: data.username } : {}),
    ...(typeof data.note === "string" ? { note: data.note } : {}),
    ...(typeof data.uses_left === "number" ? { usesLeft: data.uses_left } : {}),
    ...(typeof data.max_uses === "number" ? { maxUses: data.max_uses } : {}),
    stored,
  };
}
