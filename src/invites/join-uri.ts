/**
 * The link that lets an existing account join an invite's circles (docs/circles.md, "Joining with an existing
 * account"): `xmpp:BOT@HOST?roster;preauth=TOKEN`, the XEP-0147 roster action with the XEP-0379 §3 token, addressed
 * to the bot. An app that opens it adds the bot as a contact and sends the token with its subscription request,
 * which the server has authenticated: the proof of the account. Same shape as contactInviteUri (uri.ts), never with
 * `;ibr=y` (the account exists).
 */
import { encodeLocalPart } from "./uri.js";

/** The join link of the invite `token` for the bot `botJid` (a bare JID `local@host`). */
export function circleJoinUri(botJid: string, token: string): string {
  const at = botJid.lastIndexOf("@");
  return `xmpp:${encodeLocalPart(botJid.slice(0, at))}@${botJid.slice(at + 1)}?roster;preauth=${token}`;
}
