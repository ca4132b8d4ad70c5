/**
 * Listing and revoking pending invites over chat: `invites [of user@domain] [page N]`, `revoke ID` and
 * `revoke all of user@domain` (the ad-hoc commands and who may use either are in manage-commands.ts).
 */
import type { ChatKeyword } from "../chat/router.js";
import type { Clock } from "../invites/expiry.js";
import type { PendingList } from "../invites/management.js";
import type { InviteService } from "../invites/service.js";
import { isInviteId } from "../invites/token.js";
import { bareJid } from "../jid.js";
import type { RequestContext } from "./context.js";
import { describeKind, listLines, pageSummary, remainingAfter } from "./invite-lists.js";
import { mayManage, normalisedJid } from "./manage-commands.js";

/** `invites [of user@domain] [page N]`, or undefined when the words are not that. */
export function parseListArgs(args: string): { inviter?: string; ofText?: string; page: number } | undefined {
  const match = /^(?:of\s+(\S+))?\s*(?:page\s+(\d{1,7}))?$/iu.exec(args.trim());
  if (match === null) return undefined;
  const page = match[2] === undefined ? 1 : Number(match[2]);
  if (page < 1) return undefined;
  const ofText = match[1];
  const inviter = normalisedJid(ofText);
  return { page, ...(ofText === undefined ? {} : { ofText }), ...(inviter === undefined ? {} : { inviter }) };
}

function listReply(list: PendingList, admin: boolean, inviter: string | undefined, clock: Clock): string {
  if (list.total === 0) return "There are no pending invites.";
  if (list.invites.length === 0) return `There are only ${list.total} pending invites; that page is past the end.`;
  const heading = `${admin ? "Pending invites" : "Your pending invites"} (${pageSummary(list)}):`;
  const more = remainingAfter(list);
  const nextWords = `invites ${inviter === undefined ? "" : `of ${inviter} `}page ${list.page + 1}`;
  return [
    heading,
    ...listLines(list.invites, admin, clock),
    ...(more > 0 ? [`${more} more: say "${nextWords}".`] : []),
    'Say "revoke ID" to revoke one.',
  ].join("\n");
}

export function manageChatKeywords(service: InviteService, clock: Clock): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "invites",
      help: `your pending invites, with their ids, 25 at a time ("invites page 2"; admins: everyone's, or "invites of user@domain")`,
      allowed: mayManage,
      takesArguments: true,
      run: async ({ actor }, args) => {
        const parsed = parseListArgs(args);
        if (parsed === undefined || (parsed.ofText !== undefined && !actor.isAdmin)) {
          return actor.isAdmin
            ? 'Say "invites", "invites page 2" or "invites of user@domain".'
            : 'Say "invites" to see your pending invites ("invites page 2" for more).';
        }
        if (parsed.ofText !== undefined && parsed.inviter === undefined) {
          return `"${parsed.ofText}" is not a JID (user@domain).`;
        }
        const { inviter, page } = parsed;
        const list = await service.listInvites(actor, { page, ...(inviter === undefined ? {} : { inviter }) });
        return listReply(list, actor.isAdmin, inviter, clock);
      },
    },
    {
      keyword: "revoke",
      help: 'revoke ID — revokes one of your invites (admins: any, or "revoke all of user@domain")',
      allowed: mayManage,
      takesArguments: true,
      run: async ({ actor, log }, args) => {
        const allOf = /^all\s+of\s+(\S+)$/iu.exec(args);
        if (allOf !== null) {
          const inviter = normalisedJid(allOf[1]);
          if (inviter === undefined) return `"${allOf[1]}" is not a JID (user@domain).`;
          const count = await service.revokeAllOf(actor, inviter);
          log.info("Invites revoked", { count, of: inviter });
          return `Revoked ${count} pending invite${count === 1 ? "" : "s"} of ${bareJid(inviter)}.`;
        }
        if (!isInviteId(args)) return 'Say "revoke ID" with an id from "invites".';
        const revoked = await service.revokeInvite(actor, args);
        log.info("Invites revoked", { count: 1 });
        return `Revoked invite ${revoked.id} (${describeKind(revoked)}).`;
      },
    },
  ];
}
