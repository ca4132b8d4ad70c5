/**
 * Listing and revoking pending invites, over ad-hoc (the chat keywords are in manage-chat.ts). Users see and
 * revoke their own; admins see everyone's, 25 at a time, filter by inviter,
 * and revoke any or all of one user's.
 */
import type { Element } from "@xmpp/xml";
import { buildForm, buildTable, readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import { formatDateTime } from "../invites/expiry.js";
import type { PendingList } from "../invites/management.js";
import type { Actor } from "../invites/permissions.js";
import type { InviteService } from "../invites/service.js";
import { normaliseBareJid } from "../jid.js";
import type { RequestContext } from "./context.js";
import { describeKind, LIST_COLUMNS, listRow, pageSummary, remainingAfter } from "./invite-lists.js";

export const LIST_INVITES_NODE = "xmpp-invite-bot#list-invites";
export const REVOKE_INVITES_NODE = "xmpp-invite-bot#revoke-invites";

/** Who may list and revoke: anyone who can have invites here (local users) and admins. */
export function mayManage({ actor }: RequestContext): boolean {
  return actor.localUser !== undefined || actor.isAdmin;
}

export function normalisedJid(text: string | undefined): string | undefined {
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
