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
  readonly additional_data?: InviteData;
  readonly uri: string;
  /** Unix seconds. */
  readonly created_at: number;
  /** Unix seconds. */
  readonly expires: number;
  /** The bot writes false; Prosody leaves it out unless true. */
  readonly reusable?: boolean;
  readonly landing_page?: string;
}

/**
 * Prosody's free-form `additional_data`, with the keys this project uses
 * (docs/storage.md). Prosody's own (`allow_reset`, `roles`, `groups`) pass through.
 */
export interface InviteData {
  /** Full JID of whoever asked for the invite. */
  readonly source?: string;
  /** The only local part that may register with it (XEP-0445). */
  readonly username?: string;
  /** For reusable invites: the cap (the uses taken are counted beside the record). */
  readonly max_uses?: number;
  /** The inviter's note, for listings. */
  readonly note?: string;
  /** Circles the new account joins, by id (Prosody 13's name: docs/circles.md). */
  readonly groups?: readonly string[];
  /** Group chats outside circles the new account joins, as room JIDs (ours). */
  readonly rooms?: readonly string[];
  /** The account it makes waits for an admin's approval (APPROVE_USER_INVITED; ours, signed with the record). */
  readonly approval?: boolean;
  readonly [key: string]: unknown;
}

/** What the bot shows for a created invite. */
export interface CreatedInvite {
  readonly invite: Invite;
  /** The landing page, or the xmpp: URI when no INVITE_PAGE is configured (never empty). */
  readonly landingUrl: string;
}
