/**
 * Listing, editing and revoking pending invites over chat: `invites [of user@domain] [page N]`,
 * `invite edit ID [expires 1w] [uses N]`, `revoke ID`, `revoke all of user@domain` and `revoke tree user@domain`
 * (the ad-hoc commands and who may use either are in manage-commands.ts).
 */
import { parseEditArgs } from "../chat/edit-args.js";
import type { ChatKeyword } from "../chat/router.js";
import { type Clock, describeExpiry, nowSeconds } from "../invites/expiry.js";
import type { PendingList } from "../invites/management.js";
import type { InviteService } from "../invites/service.js";
import { isInviteId } from "../invites/token.js";
import { bareJid } from "../jid.js";
import type { RequestContext } from "./context.js";
import { describeKind, describeUses, listLines, pageSummary, remainingAfter } from "./invite-lists.js";
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

/** `revoke tree user@domain` (admins): every pending invite of that account and of everyone in its invite tree. */
async function revokeTreeReply(service: InviteService, ctx: RequestContext, jidText: string | undefined) {
  const root = normalisedJid(jidText);
  if (root === undefined) return `"${jidText}" is not a JID (user@domain).`;
  const { revoked, accounts, truncated } = await service.revokeTree(ctx.actor, root);
  ctx.log.info("Invites revoked", { count: revoked, tree: root, accounts });
  const cut = truncated
    ? ` The tree is larger than I read at once: accounts past those kept their invites; say "revoke tree" for an account further down.`
    : "";
  return `Revoked ${revoked} pending invite${revoked === 1 ? "" : "s"} of ${root} and the ${accounts - 1} account${accounts === 2 ? "" : "s"} in its invite tree.${cut}`;
}

function editKeyword(service: InviteService, clock: Clock): ChatKeyword<RequestContext> {
  return {
    keyword: "invite edit",
    help: "invite edit ID expires 1w / invite edit ID uses 5 — a new lifetime (from now) or number of uses for one of your invites (admins: any)",
    allowed: mayManage,
    takesArguments: true,
    run: async ({ actor, log }, args) => {
      const parsed = parseEditArgs(args);
      if (parsed.error !== undefined) return parsed.error;
      const { id, lifetimeSeconds, maxUses } = parsed.args;
      const now = nowSeconds(clock);
      const edited = await service.editInvite(actor, id, {
        ...(lifetimeSeconds === undefined ? {} : { expiresAt: now + lifetimeSeconds }),
        ...(maxUses === undefined ? {} : { maxUses }),
      });
      log.info("Invite edited", { id: edited.id });
      const uses = edited.maxUses === undefined ? "" : `; uses: ${describeUses(edited)}`;
      return `Invite ${edited.id} (${describeKind(edited)}) now expires ${describeExpiry(edited.expires, now)}${uses}.`;
    },
  };
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
    editKeyword(service, clock),
    {
      keyword: "revoke",
      help: 'revoke ID — revokes one of your invites (admins: any, "revoke all of user@domain", or "revoke tree user@domain" for everyone that account brought in too)',
      allowed: mayManage,
      takesArguments: true,
      run: async (ctx, args) => {
        const { actor, log } = ctx;
        const tree = /^tree\s+(\S+)$/iu.exec(args);
        if (tree !== null) return revokeTreeReply(service, ctx, tree[1]);
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
