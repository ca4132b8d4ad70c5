/**
 * An invite exactly as Prosody's mod_invites builds it (`create_invite` in
 * mod_invites.lua), so that Prosody can consume what the bot stores.
 * Field names are Prosody's (snake_case) on purpose: docs/storage.md.
 */
export interface Invite {
  readonly type: "register" | "roster";
  /** Host for account invites, inviter's bare JID for contact invites. */
  readonly jid: string;
  readonly token: string;
  readonly allow_registration: boolean;
  readonly additional_data?: { readonly source?: string };
  readonly uri: string;
  /** Unix seconds. */
  readonly created_at: number;
  /** Unix seconds. */
  readonly expires: number;
  /** The bot writes false; Prosody leaves it out unless true. */
  readonly reusable?: boolean;
  readonly landing_page?: string;
}

/** What the bot shows for a created invite. */
export interface CreatedInvite {
  readonly invite: Invite;
  /** The landing page, or the xmpp: URI when no INVITE_PAGE is configured (never empty). */
  readonly landingUrl: string;
}
