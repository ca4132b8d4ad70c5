/**
 * The XMPP server's accounts as the bot can act on them (issue 25, point 2): disabling the accounts of an invite tree
 * and enabling one again. The port lives here; its adapter runs XEP-0133 commands over the bot's own session as a
 * server administrator (src/registration/account-control.ts), so what it can do depends on the server.
 */

/**
 * How an account is stopped: `disable`, the server's own (Prosody 13's `#disable-user`: the account stays, with its
 * password, and cannot log in until enabled); `ban`, ejabberd's `ban_account` through its HTTP API (its sessions end;
 * on 23.01 a random password keeps it out, from 24.06 the ban itself, until unbanned); `lock`, where the server has
 * neither (a random password nobody keeps, then its sessions ended: a password reset link reopens it).
 */
export type BlockWay = "disable" | "ban" | "lock";

/** What the server lets the bot do now; without a way, why not (a phrase after "does not let the bot"). */
export type AccountSupport =
  | { readonly way: BlockWay; readonly enable: boolean }
  | { readonly way: undefined; readonly why: string };

/** One account's outcome; when it failed, why in words (the server's own where it gave any). */
export type AccountOutcome = { readonly ok: true } | { readonly ok: false; readonly why: string };

export interface AccountControl {
  /** What the server offers the bot, asked anew each time (its command list may change with its configuration). */
  support(): Promise<AccountSupport>;
  block(jid: string, way: BlockWay): Promise<AccountOutcome>;
  /** Only where support() says `enable`. */
  enable(jid: string): Promise<AccountOutcome>;
  /** Deletes the account with its data (XEP-0133 §4.2 delete-user): a held account an admin rejected (approvals.ts). */
  remove(jid: string): Promise<AccountOutcome>;
}
