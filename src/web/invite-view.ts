/**
 * What an invite page shows, read from a usable invite's record and the token in its link. Pure.
 *
 * The record holds no token and no URI (docs/storage.md), so the `xmpp:` URI is built again here, the same way
 * the bot built it when it made the invite (src/invites/uri.ts).
 */
import type { UsableInvite } from "../invites/invite-links.js";
import { boundUsernameOf, inviterOf } from "../invites/record.js";
import { accountInviteUri, contactInviteUri } from "../invites/uri.js";

/**
 * `account`: create an account; `account-contact`: become the inviter's contact, with or without a new account
 * (`;ibr=y`); `contact`: become the inviter's contact with an account one already has; `reset`: set a new password.
 */
export type InviteKind = "account" | "account-contact" | "contact" | "reset";

export interface InviteView {
  readonly kind: InviteKind;
  readonly token: string;
  readonly hash: string;
  readonly domain: string;
  /** The XEP-0401 URI an app opens. */
  readonly uri: string;
  /** Bare JID of whoever made the invite, when known. */
  readonly inviter: string | undefined;
  /** The only username this invite registers (XEP-0445), or the account a reset link is for. */
  readonly username: string | undefined;
  /** Unix seconds. */
  readonly expires: number;
  /** The names of the circles an account made with it joins (docs/circles.md), and its group chats outside them. */
  readonly circles: readonly string[];
  readonly rooms: readonly string[];
  /** The account it makes waits for an admin's approval (APPROVE_USER_INVITED: the record's signed mark). */
  readonly held?: boolean;
}

function localOf(jid: string): string {
  return jid.slice(0, jid.indexOf("@"));
}

/** The view of an invite the domain found usable (src/invites/invite-links.ts), with its circles' names. */
export function inviteViewOf(invite: UsableInvite, domain: string, circles: readonly string[] = []): InviteView {
  const { record, token } = invite;
  const rooms = (record.additional_data?.rooms ?? []).filter((room): room is string => typeof room === "string");
  const base = {
    token,
    hash: invite.hash,
    domain,
    expires: record.expires,
    inviter: inviterOf(record),
    circles,
    rooms,
    held: record.additional_data?.approval === true,
  };
  if (record.type === "roster") {
    const uri = contactInviteUri(localOf(record.jid), domain, token, record.allow_registration);
    return { ...base, kind: record.allow_registration ? "account-contact" : "contact", uri, username: undefined };
  }
  const data = record.additional_data ?? {};
  const reset = typeof data.allow_reset === "string" ? data.allow_reset : undefined;
  const username = reset ?? boundUsernameOf(record);
  return {
    ...base,
    kind: reset === undefined ? "account" : "reset",
    uri: accountInviteUri(domain, token, username),
    username,
  };
}

/** Whether a registration form belongs to this invite. */
export function registers(view: InviteView): boolean {
  return view.kind !== "contact";
}
