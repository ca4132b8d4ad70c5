/**
 * `invite [uses N]` in chat: a contact invite, for N people when the policy lets this requester (README, "Users'
 * invites": INVITE_USER_MAX_USES; admins up to options.ts MAX_USES). Pure: no I/O, no XMPP.
 */

export const CONTACT_INVITE_SYNTAX = "invite uses N";

export type ContactInviteArgs = { readonly maxUses?: number } | { readonly error: string };

export function parseContactInviteArgs(args: string): ContactInviteArgs {
  const text = args.trim();
  if (text === "") return {};
  const uses = /^uses\s+(\d{1,6})$/iu.exec(text);
  if (uses !== null) return { maxUses: Number(uses[1]) };
  return { error: `Nothing was created: say "invite", or "${CONTACT_INVITE_SYNTAX}" for an invite N people can use.` };
}
