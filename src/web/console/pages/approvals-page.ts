/**
 * The accounts waiting for an admin's approval (APPROVE_USER_INVITED; docs/console.md, "Approvals"): each with who
 * invited it and when it registered, and an Approve and a Reject button; what the last answer did, above the list.
 */
import type { HeldAccount } from "../../../invites/approvals.js";
import { CSRF_FIELD } from "../../csrf.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { page } from "../../pages/layout.js";
import { consolePath } from "./login-pages.js";

export interface ApprovalsView {
  readonly held: readonly HeldAccount[];
  readonly csrf: string;
  /** What the last answer did, in words. */
  readonly notice?: { readonly text: string; readonly ok: boolean };
}

/** "2026-11-28 14:05 UTC" */
function momentOf(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function answerButton(ctx: PageContext, csrf: string, jid: string, answer: "approve" | "reject"): SafeHtml {
  const style = answer === "approve" ? "button" : "button secondary";
  return html`<form class="${answer}-account" method="post" action="${consolePath(ctx, "/approvals")}"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="jid" value="${jid}"><input type="hidden" name="answer" value="${answer}">
<button class="${style}" type="submit">${ctx.t(`console.approvals.${answer}`)}</button></form>`;
}

function item(ctx: PageContext, csrf: string, held: HeldAccount): SafeHtml {
  const through =
    held.inviter === undefined
      ? ""
      : ctx.t("console.approvals.through", { inviter: held.inviter, when: momentOf(held.at) });
  return html`<li class="held-account" data-jid="${held.jid}"><h3>${held.jid}</h3><p>${through}</p>
${answerButton(ctx, csrf, held.jid, "approve")}${answerButton(ctx, csrf, held.jid, "reject")}</li>`;
}

export function approvalsPage(ctx: PageContext, view: ApprovalsView): string {
  const title = ctx.t("console.nav.approvals");
  const notice =
    view.notice === undefined
      ? ""
      : html`<p class="${view.notice.ok ? "notice" : "error form-error"}" role="alert">${view.notice.text}</p>`;
  const list =
    view.held.length === 0
      ? html`<p class="none">${ctx.t("console.approvals.none")}</p>`
      : html`<ul class="held-accounts">${view.held.map((held) => item(ctx, view.csrf, held))}</ul>`;
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>
${notice}<section class="approvals">${list}</section><p><a href="${consolePath(ctx)}">${ctx.t("console.back")}</a></p>`,
  });
}
