/**
 * Listing and revoking pending invites, over ad-hoc and chat. Users see and
 * revoke their own; admins see everyone's, 25 at a time, filter by inviter,
 * and revoke any or all of one user's.
 */
import type { Element } from "@xmpp/xml";
import { buildForm, buildTable, readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import type { ChatKeyword } from "../chat/router.js";
import { type Clock, formatDateTime } from "../invites/expiry.js";
import type { Actor } from "../invites/permissions.js";
import type { InviteService, PendingList } from "../invites/service.js";
import { isInviteId } from "../invites/token.js";
import { bareJid, normaliseBareJid } from "../jid.js";
import type { RequestContext } from "./context.js";
import { describeKind, LIST_COLUMNS, listLines, listRow, pageSummary, remainingAfter } from "./invite-lists.js";

export const LIST_INVITES_NODE = "xmpp-invite-bot#list-invites";
export const REVOKE_INVITES_NODE = "xmpp-invite-bot#revoke-invites";

/** Who may list and revoke: anyone who can have invites here (local users) and admins. */
function mayManage({ actor }: RequestContext): boolean {
  return actor.localUser !== undefined || actor.isAdmin;
}

function normalisedJid(text: string | undefined): string | undefined {
  return text === undefined ? undefined : normaliseBareJid(text.trim());
}

interface ListState {
  readonly inviter: string | undefined;
  readonly page: number;
}

function listTable(list: PendingList, admin: boolean): Element {
  const columns = admin ? LIST_COLUMNS : LIST_COLUMNS.filter((c) => c.var !== "inviter");
  return buildTable(`Pending invites (${pageSummary(list)})`, columns, list.invites.map(listRow));
}

/** One page as a table; with more pages, the stage stays open and offers "next" (XEP-0050 §3.4). */
function listStage(list: PendingList, admin: boolean, inviter: string | undefined): CommandResult {
  if (list.total === 0) return { note: { type: "info", text: "There are no pending invites." } };
  const form = listTable(list, admin);
  if (remainingAfter(list) === 0) return { form };
  const state: ListState = { inviter, page: list.page };
  return { status: "executing", form, actions: ["next", "complete"], defaultAction: "next", state };
}

async function runList(service: InviteService, ctx: RequestContext, step: CommandStep): Promise<CommandResult> {
  const { actor } = ctx;
  if (!step.firstStage && step.state !== undefined) {
    const { inviter, page } = step.state as ListState;
    if (step.action === "complete") return { note: { type: "info", text: "Done." } };
    return listStage(
      await service.listInvites(actor, { page: page + 1, ...(inviter ? { inviter } : {}) }),
      actor.isAdmin,
      inviter,
    );
  }
  if (!actor.isAdmin) return listStage(await service.listInvites(actor), false, undefined);
  if (step.firstStage && step.action === "execute") {
    return askWithForm(
      buildForm({
        type: "form",
        title: "List pending invites",
        fields: [{ var: "inviter", type: "jid-single", label: "Only the invites of (optional)" }],
      }),
    );
  }
  const typed = readSubmittedForm(step.form).get("inviter")?.[0]?.trim();
  const inviter = typed ? normalisedJid(typed) : undefined;
  if (typed && inviter === undefined) {
    return { note: { type: "error", text: `"${typed}" is not a JID (user@domain)` } };
  }
  return listStage(await service.listInvites(actor, inviter === undefined ? {} : { inviter }), true, inviter);
}

/** The ids someone typed (admins can revoke invites beyond the first page this way). */
function typedIds(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((line) => line.split(/[\s,]+/u)).filter((id) => id !== "");
}

async function revokeForm(service: InviteService, actor: Actor): Promise<CommandResult> {
  const list = await service.listInvites(actor);
  if (list.total === 0 && !actor.isAdmin) return { note: { type: "info", text: "You have no pending invites." } };
  const more = list.total > list.invites.length;
  return askWithForm(
    buildForm({
      type: "form",
      title: "Revoke invites",
      ...(more ? { instructions: `The ${list.invites.length} soonest to expire of ${list.total} are listed.` } : {}),
      fields: [
        {
          var: "invites",
          type: "list-multi",
          label: "Invites to revoke",
          options: list.invites.map((p) => ({
            value: p.id,
            label: `${p.id} · ${describeKind(p)} · until ${formatDateTime(p.expires)}${p.note ? ` · ${p.note}` : ""}`,
          })),
        },
        ...(more ? [{ var: "ids", type: "text-multi" as const, label: "Other invites to revoke, by id" }] : []),
        ...(actor.isAdmin
          ? [{ var: "inviter", type: "jid-single" as const, label: "Also revoke every pending invite of (optional)" }]
          : []),
      ],
    }),
  );
}

async function runRevoke(service: InviteService, ctx: RequestContext, step: CommandStep): Promise<CommandResult> {
  const { actor } = ctx;
  if (step.firstStage) return revokeForm(service, actor);
  const values = readSubmittedForm(step.form);
  const ids = [...new Set([...(values.get("invites") ?? []), ...typedIds(values.get("ids"))])];
  let revoked = (await service.revokeInvites(actor, ids)).length;
  const inviter = normalisedJid(values.get("inviter")?.[0]);
  if (inviter !== undefined) revoked += await service.revokeAllOf(actor, inviter);
  ctx.log.info("Invites revoked", { count: revoked });
  return { note: { type: "info", text: revoked === 1 ? "Revoked 1 invite." : `Revoked ${revoked} invites.` } };
}

export function manageAdhocCommands(service: InviteService): AdhocCommand<RequestContext>[] {
  return [
    {
      node: LIST_INVITES_NODE,
      name: "List pending invites",
      allowed: mayManage,
      run: (ctx, step) => runList(service, ctx, step),
    },
    {
      node: REVOKE_INVITES_NODE,
      name: "Revoke invites",
      allowed: mayManage,
      run: (ctx, step) => runRevoke(service, ctx, step),
    },
  ];
}

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
