/**
 * Who may do what: the same decisions as Prosody's mod_invites_adhoc, driven by
 * configuration instead of Prosody roles (docs/architecture.md, "Key design decisions").
 */

export interface Actor {
  /** Normalised bare JID of the requester. */
  readonly jid: string;
  /** Local part of the requester when they are a user of the bot's domain. */
  readonly localUser: string | undefined;
  readonly isAdmin: boolean;
}

export interface Policy {
  readonly domain: string;
  readonly admins: ReadonlySet<string>;
  readonly allowUserInvites: boolean;
  readonly allowContactInvites: boolean;
  /** The bot's own bare JID: no reset link may take over its account. */
  readonly botJid?: string;
}

export function actorFor(bareJid: string, policy: Policy): Actor {
  const at = bareJid.indexOf("@");
  const domain = bareJid.slice(at + 1);
  const localUser = at > 0 && domain === policy.domain ? bareJid.slice(0, at) : undefined;
  return { jid: bareJid, localUser, isAdmin: policy.admins.has(bareJid) };
}

/**
 * Contact invites name the inviter as a local contact (XEP-0379), so they need a
 * local account; with ALLOW_CONTACT_INVITES=false only (local) admins get them,
 * like Prosody's `allow_contact_invites and "local_user" or "admin"`.
 */
export function mayCreateContactInvite(actor: Actor, policy: Policy): boolean {
  if (actor.localUser === undefined) return false;
  return policy.allowContactInvites || actor.isAdmin;
}

/** Prosody's `may_invite_new_users`: admins always, others when ALLOW_USER_INVITES. */
export function mayInviteNewUsers(actor: Actor, policy: Policy): boolean {
  if (actor.isAdmin) return true;
  return actor.localUser !== undefined && policy.allowUserInvites;
}

/** `#create-account` is admin-only; admins may be on any domain. */
export function mayCreateAccountInvite(actor: Actor): boolean {
  return actor.isAdmin;
}
