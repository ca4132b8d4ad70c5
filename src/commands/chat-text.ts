/** What the bot says in chat. */
import { type Clock, describeExpiry, nowSeconds } from "../invites/expiry.js";
import type { CreatedInvite } from "../invites/invite.js";

export function inviteReply({ invite, landingUrl }: CreatedInvite, host: string, clock: Clock): string {
  const data = invite.additional_data ?? {};
  const lines = [invite.type === "register" ? "Here is an account invite:" : "Here is your invite:", landingUrl];
  if (landingUrl !== invite.uri) lines.push(`XMPP clients can also open: ${invite.uri}`);
  const uses = data.max_uses === undefined ? "once" : `${data.max_uses} times`;
  lines.push(`It can be used ${uses} and expires ${describeExpiry(invite.expires, nowSeconds(clock))}.`);
  if (data.username !== undefined) lines.push(`Only the username ${data.username} can be registered with it.`);
  if (invite.type === "register") {
    lines.push(`It lets ${data.max_uses === undefined ? "one person" : "people"} create an account on ${host}.`);
  } else if (invite.allow_registration) {
    lines.push(`Whoever uses it can create an account on ${host} and becomes your contact.`);
  } else {
    lines.push("Whoever uses it becomes your contact (they need an XMPP account already).");
  }
  if (data.note !== undefined) lines.push(`Note: ${data.note}`);
  return lines.join("\n");
}

export function passwordResetReply({ invite, landingUrl }: CreatedInvite, clock: Clock): string {
  const lines = [`Here is a password reset link for ${invite.jid}:`, landingUrl];
  if (landingUrl !== invite.uri) lines.push(`XMPP clients can also open: ${invite.uri}`);
  lines.push(`It can be used once and expires ${describeExpiry(invite.expires, nowSeconds(clock))}.`);
  lines.push("Send it only to the owner of that account.");
  return lines.join("\n");
}

export function helpReply(host: string, keywordLines: readonly string[]): string {
  if (keywordLines.length === 0)
    return `I create invites for users of ${host}, so there is nothing I can do for you, sorry.`;
  return [
    `I create invites for ${host}. Send me one of these:`,
    ...keywordLines.map((line) => `• ${line}`),
    "• help — this list",
    "Clients with ad-hoc commands can also use my commands menu.",
  ].join("\n");
}

export function hintReply(host: string, mayInvite: boolean): string {
  return mayInvite
    ? 'I did not understand that. Send "invite" for an invite link, or "help" to see what I can do.'
    : `I only create invites for users of ${host}. Send "help" to see what I can do.`;
}
