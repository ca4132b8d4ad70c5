/**
 * The invite tree's pages (docs/console.md, "The invite tree"): the accounts below one account as nested lists,
 * and for admins the button that revokes every pending invite of the tree, which asks on a page of its own first.
 */
import type { InviteTree } from "../../../invites/tree.js";
import { CSRF_FIELD } from "../../csrf.js";
import { escapeHtml, html, type SafeHtml, trusted } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { page } from "../../pages/layout.js";
import { consolePath } from "./login-pages.js";

export interface TreeView {
  readonly tree: InviteTree;
  readonly csrf: string;
  readonly mayRevoke: boolean;
  /** What a revocation just did. */
  readonly revoked?: { readonly revoked: number; readonly accounts: number } | undefined;
}

/**
 * Nested lists from the pre-order nodes, written in one pass: a tree may be 10,000 deep, too deep for recursion.
 * Every JID is escaped; the only markup added is the lists' own.
 */
function nestedLists(tree: InviteTree): SafeHtml {
  let markup = '<ul class="tree">';
  let depth = 1;
  let open = false;
  for (const node of tree.nodes) {
    if (node.depth > depth) markup += '<ul class="tree">';
    else {
      if (open) markup += "</li>";
      for (; depth > node.depth; depth -= 1) markup += "</ul></li>";
    }
    depth = node.depth;
    markup += `<li><span class="account">${escapeHtml(node.jid)}</span>`;
    open = true;
  }
  if (open) markup += "</li>";
  for (; depth > 1; depth -= 1) markup += "</ul></li>";
  return trusted(`${markup}</ul>`);
}

function hidden(csrf: string, root: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="jid" value="${root}">`;
}

/** "3 pending invites revoked. 5 accounts in the tree.": two numbers, so two messages, each with its plural form. */
function revokedText(ctx: PageContext, { revoked, accounts }: { revoked: number; accounts: number }): string {
  const done = ctx.tn("console.tree.revoked", revoked, { count: String(revoked) });
  return `${done} ${ctx.tn("console.tree.accounts", accounts, { accounts: String(accounts) })}`;
}

export function treePage(ctx: PageContext, view: TreeView): string {
  const { tree } = view;
  const title = ctx.t("console.tree.title", { jid: tree.root });
  const body =
    tree.nodes.length === 0
      ? html`<p class="none">${ctx.t("console.tree.none")}</p>`
      : html`${nestedLists(tree)}${tree.truncated ? html`<p class="more">${ctx.t("console.tree.truncated")}</p>` : ""}`;
  const done =
    view.revoked === undefined ? "" : html`<p class="done" role="status">${revokedText(ctx, view.revoked)}</p>`;
  const revoke = view.mayRevoke
    ? html`<form class="revoke-tree" method="post" action="${consolePath(ctx, "/tree/revoke")}">${hidden(view.csrf, tree.root)}
<p><button class="button secondary" type="submit">${ctx.t("console.tree.revoke")}</button></p></form>`
    : "";
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>${done}<section class="invite-tree">${body}</section>${revoke}
<p><a href="${consolePath(ctx)}">${ctx.t("console.back")}</a></p>`,
  });
}

export function confirmTreeRevokePage(ctx: PageContext, view: { root: string; csrf: string }): string {
  const title = ctx.t("console.tree.confirm_title");
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1><p class="confirm-body">${ctx.t("console.tree.confirm_body", { jid: view.root })}</p>
<form class="confirm-revoke-tree" method="post" action="${consolePath(ctx, "/tree/revoke")}">${hidden(view.csrf, view.root)}<input type="hidden" name="confirm" value="yes">
<p><button class="button" type="submit">${ctx.t("console.tree.confirm")}</button></p></form>
<p><a href="${consolePath(ctx, "/tree")}&amp;jid=${encodeURIComponent(view.root)}">${ctx.t("console.tree.cancel")}</a></p>`,
  });
}
