/**
 * Who invited whom (issue #4 point 6): admin-only lookups over ad-hoc and chat; and `tree [user@domain]`, an
 * account's invite tree (issue 23), a user's own or, for admins, anyone's.
 */
import { buildForm, readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import type { ChatKeyword } from "../chat/router.js";
import type { InviteService } from "../invites/service.js";
import type { InviteTree } from "../invites/tree.js";
import { normaliseBareJid } from "../jid.js";
import type { RequestContext } from "./context.js";
import { mayManage } from "./manage-commands.js";

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

/** Lines of a tree a chat shows at most; the rest is counted. */
export const TREE_LINES = 100;

/** The tree as indented lines, two spaces a level, capped at TREE_LINES. */
export function treeReply(tree: InviteTree): string {
  const { root, nodes, truncated } = tree;
  if (nodes.length === 0) return `${root} has not invited anyone who accepted yet.`;
  const more = nodes.length - TREE_LINES;
  return [
    `Invite tree of ${root} (${nodes.length}${truncated ? " or more" : ""} account${nodes.length === 1 ? "" : "s"}):`,
    ...nodes.slice(0, TREE_LINES).map(({ jid, depth }) => `${"  ".repeat(depth - 1)}• ${jid}`),
    ...(more > 0 ? [`… and ${more} more.`] : []),
    ...(truncated
      ? [`The tree is larger than I read at once; only its first ${nodes.length} accounts are counted.`]
      : []),
  ].join("\n");
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
    {
      keyword: "tree",
      help: "tree — everyone you invited, and whom they invited, down any depth (admins: tree user@domain)",
      allowed: mayManage,
      takesArguments: true,
      run: async (ctx, args) => {
        const root = args.trim() === "" ? ctx.actor.jid : normalised(args);
        if (root === undefined) return `"${args.trim()}" is not a JID (user@domain). Say "tree" or "tree user@domain".`;
        return treeReply(await service.inviteTree(ctx.actor, root));
      },
    },
  ];
}
