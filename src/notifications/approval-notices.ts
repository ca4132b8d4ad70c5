/**
 * What people hear about accounts held for an admin's approval (APPROVE_USER_INVITED, src/invites/approvals.ts):
 * every admin gets the question with the two answers, whatever NOTIFY_ADMINS says (someone has to answer it); the
 * inviter hears that the account waits, and later the admin's answer. Pure.
 */
import type { HoldWay } from "../invites/approvals.js";
import type { UseEvent } from "../invites/store.js";

const WAITING: Readonly<Record<HoldWay, string>> = {
  disabled: "The account is disabled until then.",
  "no-login": "The account cannot log in until then.",
  pending: "The account is made only if approved.",
};

export function heldAdminNotice(event: UseEvent, way: HoldWay): string {
  const name = event.invitee.split("@")[0] ?? event.invitee;
  const whose = event.inviter === undefined ? "an invite made on the server" : `${event.inviter}'s invite`;
  const invite = event.invite === undefined ? "" : ` (${event.invite})`;
  return (
    `${event.invitee} registered through ${whose}${invite} and waits for approval. ${WAITING[way]}\n` +
    `Say "approve ${name}" to let them in, or "reject ${name}" to remove the account.`
  );
}

export function heldInviterNotice(event: UseEvent): string {
  return `${event.invitee} registered with your invite. An administrator will look at the new account first; you will hear when they have.`;
}

/** The inviter's message once an admin answered (src/invites/approval-service.ts). */
export function approvalOutcomeNotice(jid: string, approved: boolean): string {
  return approved
    ? `${jid}, who registered with your invite, was approved by an administrator and can log in now.`
    : `${jid}, who registered with your invite, was not approved by an administrator; the account was removed.`;
}

/** Every admin, then the inviter when a user of `host` (as recipients() in use-events.ts). */
export function heldRecipients(
  event: UseEvent,
  admins: ReadonlySet<string>,
  host: string,
  out: Map<string, string>,
): Map<string, string> {
  const way = event.held ?? "pending";
  for (const admin of admins) out.set(admin, heldAdminNotice(event, way));
  const inviter = event.inviter;
  if (inviter !== undefined && !admins.has(inviter) && inviter.endsWith(`@${host}`)) {
    out.set(inviter, heldInviterNotice(event));
  }
  return out;
}
