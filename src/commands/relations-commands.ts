/**
 * Who invited whom (issue #4 point 6): admin-only lookups over ad-hoc and chat. An account's whole invite tree is
 * in tree-commands.ts.
 */
import { buildForm, readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import type { ChatKeyword } from "../chat/router.js";
import type { InviteService } from "../invites/service.js";
import { normaliseBareJid } from "../jid.js";
import type { RequestContext } from "./context.js";

export const RELATIONS_NODE = "xmpp-invite-bot#who-invited-whom";

function normalised(text: string): string | undefined {
  return normaliseBareJid(text.trim());
}

async function runRelations(service: InviteService, ctx: RequestContext, step: CommandStep): Promise<CommandResult> {
  const typed = readSubmittedForm(step.form).get("accountjid")?.[0] ?? "";
  const jid = normalised(typed);
  if (step.firstStage || jid === undefined) {
    return askWithForm(
      buildForm({
        type: "form",
        title: "Who invited whom",
        fields: [{ var: "accountjid", type: "jid-single", label: "Account", required: true }],
      }),
      step.firstStage ? undefined : `"${typed}" is not a JID (user@domain)`,
    );
  }
  const { invitedBy, invitees } = await service.relationsOf(ctx.actor, jid);
  return {
    form: buildForm({
      type: "result",
      title: `Who invited whom: ${jid}`,
      fields: [
        {
          var: "invited-by",
          type: "jid-single",
          label: "Invited by",
          values: invitedBy === undefined ? [] : [invitedBy],
        },
        { var: "invitees", type: "jid-multi", label: "Invited", values: invitees },
      ],
    }),
  };
}

export function relationsAdhocCommands(service: InviteService): AdhocCommand<RequestContext>[] {
  return [
    {
      node: RELATIONS_NODE,
      name: "Who invited whom",
      allowed: ({ actor }) => actor.isAdmin,
      run: (ctx, step) => runRelations(service, ctx, step),
    },
  ];
}

export function relationsChatKeywords(service: InviteService): ChatKeyword<RequestContext>[] {
  const lookup = async (ctx: RequestContext, args: string) => {
    const jid = normalised(args);
    if (jid === undefined) return { jid: undefined, relations: undefined };
    return { jid, relations: await service.relationsOf(ctx.actor, jid) };
  };
  return [
    {
      keyword: "who invited",
      help: "who invited user@domain — who invited that account",
      allowed: ({ actor }) => actor.isAdmin,
      takesArguments: true,
      run: async (ctx, args) => {
        const { jid, relations } = await lookup(ctx, args);
        if (jid === undefined || relations === undefined) return 'Say "who invited user@domain".';
        return relations.invitedBy === undefined
          ? `I know of no invite that brought ${jid}.`
          : `${jid} was invited by ${relations.invitedBy}.`;
      },
    },
    {
      keyword: "invitees of",
      help: "invitees of user@domain — whom that account invited",
      allowed: ({ actor }) => actor.isAdmin,
      takesArguments: true,
      run: async (ctx, args) => {
        const { jid, relations } = await lookup(ctx, args);
        if (jid === undefined || relations === undefined) return 'Say "invitees of user@domain".';
        if (relations.invitees.length === 0) return `${jid} has not invited anyone who accepted yet.`;
        return [`${jid} invited:`, ...relations.invitees.map((invitee) => `• ${invitee}`)].join("\n");
      },
    },
  ];
}
