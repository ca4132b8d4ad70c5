/**
 * Invites as the API answers with them: what lists show (src/invites/pending.ts), by short id, and for a new
 * invite its links too (the only time they exist: tokens are never stored).
 */
import { formatDateTime } from "../invites/expiry.js";
import type { CreatedInvite } from "../invites/invite.js";
import type { PendingList } from "../invites/management.js";
import { type PendingInvite, toPending } from "../invites/pending.js";
import { recordOf } from "../invites/record.js";
import { tokenHash } from "../invites/token.js";

export interface InviteJson {
  readonly id: string;
  readonly kind: PendingInvite["kind"];
  readonly inviter?: string;
  /** RFC 3339 (XEP-0082) UTC. */
  readonly expires: string;
  readonly allowsRegistration: boolean;
  readonly username?: string;
  readonly note?: string;
  readonly maxUses?: number;
  readonly usesLeft?: number;
}

export interface CreatedInviteJson extends InviteJson {
  readonly uri: string;
  readonly landingPage: string;
}

export function inviteJson(pending: PendingInvite): InviteJson {
  const { id, kind, inviter, expires, allowsRegistration, username, note, maxUses, usesLeft } = pending;
  return {
    id,
    kind,
    ...(inviter === undefined ? {} : { inviter }),
    expires: formatDateTime(expires),
    allowsRegistration,
    ...(username === undefined ? {} : { username }),
    ...(note === undefined ? {} : { note }),
    ...(maxUses === undefined ? {} : { maxUses }),
    ...(usesLeft === undefined ? {} : { usesLeft }),
  };
}

/** A new invite as it will be listed, with its links. */
export function createdInviteJson({ invite, landingUrl }: CreatedInvite): CreatedInviteJson {
  const stored = { hash: tokenHash(invite.token), record: recordOf(invite), used: 0 };
  const pending = toPending(stored, invite.created_at);
  if (pending === undefined) throw new Error("A new invite has already expired");
  return { ...inviteJson(pending), uri: invite.uri, landingPage: landingUrl };
}

/** One page of a list, keeping only `kind` when asked (a page may then hold fewer than its size). */
export function listJson(list: PendingList) {
  return { invites: list.invites.map(inviteJson), total: list.total, page: list.page, pageSize: list.pageSize };
}
