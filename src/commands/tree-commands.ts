/**
 * An account's invite tree (issues 23 and 25): `tree [user@domain]` in chat, and the ad-hoc command _Invite tree_
 * (`xmpp-invite-bot#invite-tree`): users their own at once; admins first name any account and pick what to do with
 * its tree: show it, revoke every pending invite in it, or also disable its accounts (tree-disable.ts).
 */
import type { Element } from "@xmpp/xml";
import { buildForm, readSubmittedForm } from "../adhoc/dataform.js";
import type { AdhocCommand, CommandResult, CommandStep } from "../adhoc/registry.js";
import { askWithForm } from "../adhoc/stages.js";
import type { ChatKeyword } from "../chat/router.js";
import { formatDateTime } from "../invites/expiry.js";
import type { InviteService } from "../invites/service.js";
import type { DetailedTree } from "../invites/tree-details.js";
import type { RequestContext } from "./context.js";
import { mayManage, normalisedJid } from "./manage-commands.js";
import { disablingReply, nodeLine, TREE_LINES, treeCounts, treeReply } from "./tree-text.js";

export const TREE_NODE = "xmpp-invite-bot#invite-tree";

const ACTIONS = [
  { value: "show", label: "Show it" },
  { value: "revoke", label: "Revoke every pending invite in it" },
  { value: "disable", label: "Revoke its invites and disable its accounts (not the account itself)" },
] as const;

/** The tree as a result form: its counts, the newest accounts, and the accounts indented two spaces a level. */
export function treeForm(tree: DetailedTree): Element {
  const more = tree.nodes.length - TREE_LINES;
  return buildForm({
    type: "result",
    title: `Invite tree of ${tree.root}`,
    fields: [
      { var: "accountjid", type: "jid-single", label: "Account", values: [tree.root] },
      { var: "summary", type: "text-single", label: "In short", values: [treeCounts(tree)] },
      { var: "accounts", type: "text-single", label: "Accounts", values: [String(tree.nodes.length)] },
      { var: "deepest", type: "text-single", label: "Deepest level", values: [String(tree.deepest)] },
      { var: "pending", type: "text-single", label: "Pending invites in the tree", values: [String(tree.pending)] },
      {
        var: "root-pending",
        type: "text-single",
        label: "Pending invites of the account",
        values: [String(tree.rootPending)],
      },
      {
        var: "newest",
        type: "text-multi",
        label: "Newest accounts",
        values: tree.newest.map((node) => `${node.jid} — ${formatDateTime(node.joined as number)}`),
      },
      {
        var: "tree",
        type: "text-multi",
        label: "Tree",
        values: [
          ...tree.nodes.slice(0, TREE_LINES).map((node) => `${"  ".repeat(node.depth - 1)}• ${nodeLine(node)}`),
          ...(more > 0 ? [`… and ${more} more.`] : []),
        ],
      },
    ],
  });
}

function askForm(ctx: RequestContext): Element {
  return buildForm({
    type: "form",
    title: "Invite tree",
    instructions: "Whose invite tree, and what to do with it.",
    fields: [
      { var: "accountjid", type: "jid-single", label: "Account", required: true, values: [ctx.actor.jid] },
      { var: "action", type: "list-single", label: "What to do", values: ["show"], options: ACTIONS },
    ],
  });
}

async function runTree(service: InviteService, ctx: RequestContext, step: CommandStep): Promise<CommandResult> {
  const { actor, log } = ctx;
  if (!actor.isAdmin) return { form: treeForm(await service.inviteTree(actor, actor.jid)) };
  if (step.firstStage) return askWithForm(askForm(ctx));
  const submitted = readSubmittedForm(step.form);
  const typed = submitted.get("accountjid")?.[0] ?? "";
  const root = normalisedJid(typed);
  if (root === undefined) return askWithForm(askForm(ctx), `"${typed}" is not a JID (user@domain)`);
  const action = submitted.get("action")?.[0] ?? "show";
  if (action === "revoke") {
    const { revoked, accounts } = await service.revokeTree(actor, root);
    log.info("Invites revoked", { count: revoked, tree: root, accounts });
    const text = `Revoked ${revoked} pending invite${revoked === 1 ? "" : "s"} of ${root} and the ${accounts - 1} account${accounts === 2 ? "" : "s"} in its invite tree.`;
    return { form: treeForm(await service.inviteTree(actor, root)), note: { type: "info", text } };
  }
  if (action === "disable") {
    const result = await service.accounts.disableTree(actor, root);
    log.info("Accounts of an invite tree disabled", {
      tree: root,
      way: result.way,
      done: result.done.length,
      failed: result.failed.length,
    });
    return { note: { type: result.failed.length === 0 ? "info" : "warn", text: disablingReply(result) } };
  }
  return { form: treeForm(await service.inviteTree(actor, root)) };
}

export function treeAdhocCommands(service: InviteService): AdhocCommand<RequestContext>[] {
  return [
    { node: TREE_NODE, name: "Invite tree", allowed: mayManage, run: (ctx, step) => runTree(service, ctx, step) },
  ];
}

export function treeChatKeywords(service: InviteService): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "tree",
      help: "tree — everyone you invited, and whom they invited, down any depth, with pending invites and when they joined (admins: tree user@domain)",
      allowed: mayManage,
      takesArguments: true,
      run: async (ctx, args) => {
        const root = args.trim() === "" ? ctx.actor.jid : normalisedJid(args);
        if (root === undefined) return `"${args.trim()}" is not a JID (user@domain). Say "tree" or "tree user@domain".`;
        return treeReply(await service.inviteTree(ctx.actor, root));
      },
    },
  ];
}
