/**
 * The invite tree's pages (docs/console.md, "The invite tree"): the accounts below one account as nested lists, each
 * with its pending invites and when it joined, the tree's counts and its newest accounts; and for admins the button
 * that revokes every pending invite of the tree, which asks on a page of its own first.
 */
import type { DetailedNode, DetailedTree } from "../../../invites/tree-details.js";
import { CSRF_FIELD } from "../../csrf.js";
import { escapeHtml, html, type SafeHtml, trusted } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { page } from "../../pages/layout.js";
import { consolePath } from "./login-pages.js";

export interface TreeView {
  readonly tree: DetailedTree;
  readonly csrf: string;
  readonly mayRevoke: boolean;
  /** What a revocation just did. */
  readonly revoked?: { readonly revoked: number; readonly accounts: number } | undefined;
}

/**
 * Nested lists from the pre-order nodes, written in one pass: a tree may be 10,000 deep, too deep for recursion.
 * Every JID is escaped; the only markup added is the lists' own.
 */
function nestedLists(ctx: PageContext, tree: DetailedTree): SafeHtml {
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
    markup += `<li><span class="account">${escapeHtml(node.jid)}</span>${details(ctx, node)}`;
    open = true;
  }
  if (open) markup += "</li>";
  for (; depth > 1; depth -= 1) markup += "</ul></li>";
  return trusted(`${markup}</ul>`);
}

/** "2026-11-28": a date every language reads, in UTC as the server records it. */
function dayOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** "2026-11-28 14:05 UTC" */
function momentOf(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** " · pending invites: 2 · joined 2026-11-28", escaped; empty for an account with neither. */
function details(ctx: PageContext, node: DetailedNode): string {
  const parts = [
    ...(node.pending === 0 ? [] : [ctx.t("console.tree.pending", { count: String(node.pending) })]),
    ...(node.joined === undefined ? [] : [ctx.t("console.tree.joined", { date: dayOf(node.joined) })]),
  ];
  return parts.length === 0 ? "" : ` <span class="details">${escapeHtml(parts.join(" · "))}</span>`;
}

function summary(ctx: PageContext, tree: DetailedTree): SafeHtml {
  const counts = {
    accounts: String(tree.nodes.length),
    deepest: String(tree.deepest),
    pending: String(tree.pending),
    own: String(tree.rootPending),
  };
  const newest =
    tree.newest.length === 0
      ? ""
      : html`<h2>${ctx.t("console.tree.newest")}</h2><ol class="newest">${tree.newest.map(
          (node) => html`<li><span class="account">${node.jid}</span> ${momentOf(node.joined as number)}</li>`,
        )}</ol>`;
  return html`<p class="tree-summary">${ctx.t("console.tree.summary", counts)}</p>${newest}`;
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
      : html`${nestedLists(ctx, tree)}${tree.truncated ? html`<p class="more">${ctx.t("console.tree.truncated")}</p>` : ""}`;
  const done =
    view.revoked === undefined ? "" : html`<p class="done" role="status">${revokedText(ctx, view.revoked)}</p>`;
  const revoke = view.mayRevoke
    ? html`<form class="revoke-tree" method="post" action="${consolePath(ctx, "/tree/revoke")}">${hidden(view.csrf, tree.root)}
<p><button class="button secondary" type="submit">${ctx.t("console.tree.revoke")}</button></p></form>`
    : "";
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>${done}${summary(ctx, tree)}<section class="invite-tree">${body}</section>${revoke}
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
