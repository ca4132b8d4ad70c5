/**
 * Accounts held for approval over chat (APPROVE_USER_INVITED, README "Approval"), admins only: `approvals` lists
 * them; `approve NAME` lets one in and `reject NAME` removes it (src/invites/approval-service.ts), its inviter told.
 * NAME is the account's name, or its JID, as the question the bot asked says it.
 */
import type { ChatKeyword } from "../chat/router.js";
import type { HeldAccount, HoldWay } from "../invites/approvals.js";
import { formatDateTime } from "../invites/expiry.js";
import type { InviteService } from "../invites/service.js";
import type { RequestContext } from "./context.js";

const admins = ({ actor }: RequestContext): boolean => actor.isAdmin;

const HELD_AS: Readonly<Record<HoldWay, string>> = {
  disabled: "disabled",
  "no-login": "cannot log in",
  pending: "not made yet",
};

function line(held: HeldAccount): string {
  const whose = held.inviter === undefined ? "" : ` through ${held.inviter}'s invite`;
  return `• ${held.jid}${whose}, ${formatDateTime(held.at)} (${HELD_AS[held.way]})`;
}

export function approvalChatKeywords(service: InviteService): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "approvals",
      help: "approvals — the accounts waiting for an administrator's approval",
      allowed: admins,
      run: async ({ actor }) => {
        const held = await service.approvals.list(actor);
        if (held.length === 0) return "No account is waiting for approval.";
        const lines = held.map(line).join("\n");
        return `${held.length} waiting for approval:\n${lines}\nSay "approve NAME" or "reject NAME".`;
      },
    },
    {
      keyword: "approve",
      help: "approve NAME — lets in an account that waits for approval; its inviter is told",
      allowed: admins,
      takesArguments: true,
      run: async ({ actor, log }, args) => {
        if (args.trim() === "") return 'Say "approve NAME" (the list: "approvals").';
        const outcome = await service.approvals.approve(actor, args);
        log.info("Held account approved", { jid: outcome.jid, ok: outcome.ok });
        return outcome.ok
          ? `Approved ${outcome.jid}: the account can log in now, and its inviter was told.`
          : `${outcome.jid} was not approved: ${outcome.why}.`;
      },
    },
    {
      keyword: "reject",
      help: "reject NAME — removes an account that waits for approval; its inviter is told",
      allowed: admins,
      takesArguments: true,
      run: async ({ actor, log }, args) => {
        if (args.trim() === "") return 'Say "reject NAME" (the list: "approvals").';
        const outcome = await service.approvals.reject(actor, args);
        log.info("Held account rejected", { jid: outcome.jid, ok: outcome.ok });
        return outcome.ok
          ? `Rejected ${outcome.jid}: the account is gone, and its inviter was told.`
          : `${outcome.jid} was not rejected: ${outcome.why}.`;
      },
    },
  ];
}
