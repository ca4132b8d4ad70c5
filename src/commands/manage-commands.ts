/**
 * Listing and revoking pending invites (issue #4 point 3), over ad-hoc and
 * chat. Users see and revoke their own; admins see everyone's, filter by
 * inviter, and revoke any or all of one user's.
 */
import type { Element } from "@xmpp/xml";
import { buildForm, buildTable, readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import type { ChatKeyword } from "../chat/router.js";
import { type Clock, formatDateTime } from "../invites/expiry.js";
import type { PendingInvite } from "../invites/pending.js";
import type { InviteService } from "../invites/service.js";
import { bareJid, parseBareJid } from "../jid.js";
import type { RequestContext } from "./context.js";
import { describeKind, LIST_COLUMNS, listLines, listRow } from "./invite-lists.js";

export const LIST_INVITES_NODE = "xmpp-invite-bot#list-invites";
export const REVOKE_INVITES_NODE = "xmpp-invite-bot#revoke-invites";

/** Who may list and revoke: anyone who can have invites here (local users) and admins. */
function mayManage({ actor }: RequestContext): boolean {
  return actor.localUser !== undefined || actor.isAdmin;
}

function normalisedJid(text: string | undefined): string | undefined {
  const jid = text === undefined ? undefined : parseBareJid(text.trim());
  return jid === undefined ? undefined : `${jid.local}@${jid.domain}`;
}

function listTable(pendings: readonly PendingInvite[], admin: boolean): Element {
  const columns = admin ? LIST_COLUMNS : LIST_COLUMNS.filter((c) => c.var !== "inviter");
  return buildTable("Pending invites", columns, pendings.map(listRow));
}

function completedList(pendings: readonly PendingInvite[], admin: boolean): CommandResult {
  if (pendings.length === 0) return { note: { type: "info", text: "There are no pending invites." } };
  return { form: listTable(pendings, admin) };
}

async function runList(service: InviteService, ctx: RequestContext, step: CommandStep): Promise<CommandResult> {
  const { actor } = ctx;
  if (!actor.isAdmin) return completedList(await service.listInvites(actor), false);
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
  return completedList(await service.listInvites(actor, inviter), true);
}

async function runRevoke(service: InviteService, ctx: RequestContext, step: CommandStep): Promise<CommandResult> {
  const { actor } = ctx;
  if (step.firstStage) {
    const pendings = await service.listInvites(actor);
    if (pendings.length === 0 && !actor.isAdmin) {
      return { note: { type: "info", text: "You have no pending invites." } };
    }
    return askWithForm(
      buildForm({
        type: "form",
        title: "Revoke invites",
        fields: [
          {
            var: "invites",
            type: "list-multi",
            label: "Invites to revoke",
            options: pendings.map((p) => ({
              value: p.id,
              label: `${p.id} · ${describeKind(p)} · until ${formatDateTime(p.expires)}${p.note ? ` · ${p.note}` : ""}`,
            })),
          },
          ...(actor.isAdmin
            ? [{ var: "inviter", type: "jid-single" as const, label: "Also revoke every pending invite of (optional)" }]
            : []),
        ],
      }),
    );
  }
  const values = readSubmittedForm(step.form);
  let revoked = (await service.revokeInvites(actor, values.get("invites") ?? [])).length;
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

export function manageChatKeywords(service: InviteService, clock: Clock): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "invites",
      help: `your pending invites, with their ids (admins: everyone's, or "invites of user@domain")`,
      allowed: mayManage,
      takesArguments: true,
      run: async ({ actor }, args) => {
        const ofMatch = /^of\s+(\S+)$/iu.exec(args);
        if (args !== "" && (ofMatch === null || !actor.isAdmin)) {
          return actor.isAdmin
            ? 'Say "invites" or "invites of user@domain".'
            : 'Say "invites" to see your pending invites.';
        }
        const inviter = ofMatch?.[1] === undefined ? undefined : normalisedJid(ofMatch[1]);
        if (ofMatch !== null && inviter === undefined) return `"${ofMatch[1]}" is not a JID (user@domain).`;
        const pendings = await service.listInvites(actor, inviter);
        if (pendings.length === 0) return "There are no pending invites.";
        const heading = actor.isAdmin ? "Pending invites:" : "Your pending invites:";
        return [heading, ...listLines(pendings, actor.isAdmin, clock), 'Say "revoke ID" to revoke one.'].join("\n");
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
        if (!/^[\w-]{8}$/u.test(args)) return 'Say "revoke ID" with an id from "invites".';
        const revoked = await service.revokeInvite(actor, args);
        log.info("Invites revoked", { count: 1 });
        return `Revoked invite ${revoked.id} (${describeKind(revoked)}).`;
      },
    },
  ];
}
