/**
 * The circles' page (docs/console.md, "Circles"): each circle the visitor sees with its members and group chats;
 * for admins, a form to add a member, a Remove button by each member, a Delete button (which asks first) and a form
 * that creates a circle. Every button is a POST with the session's form token; no script.
 */
import type { CircleWithMembers } from "../../../circles/circle.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { page } from "../../pages/layout.js";
import { consoleForm } from "./console-form.js";
import { consolePath } from "./login-pages.js";

export interface CirclesView {
  /** Admins: every circle; users: their own. */
  readonly circles: readonly CircleWithMembers[];
  readonly isAdmin: boolean;
  readonly csrf: string;
  /** What the last action did, in the visitor's language. */
  readonly done?: string;
  /** A refusal, in the visitor's language. */
  readonly notice?: string;
}

function members(ctx: PageContext, view: CirclesView, circle: CircleWithMembers): SafeHtml {
  if (circle.members.length === 0) return html`<p class="none">${ctx.t("console.circles.no_members")}</p>`;
  const items = circle.members.map((jid) => {
    const remove = view.isAdmin
      ? consoleForm(
          ctx,
          view.csrf,
          "/circles/remove",
          "remove-member",
          html`<input type="hidden" name="circle" value="${circle.id}"><input type="hidden" name="jid" value="${jid}">
<button class="button secondary" type="submit">${ctx.t("console.circles.remove")}</button>`,
        )
      : "";
    return html`<li class="member" data-jid="${jid}"><span class="account">${jid}</span>${remove}</li>`;
  });
  return html`<h4>${ctx.t("console.circles.members")}</h4><ul class="members">${items}</ul>`;
}

function adminForms(ctx: PageContext, view: CirclesView, circle: CircleWithMembers): SafeHtml {
  const fieldId = `add-${circle.id}`;
  const add = consoleForm(
    ctx,
    view.csrf,
    "/circles/add",
    "add-member",
    html`<input type="hidden" name="circle" value="${circle.id}">
<div class="field"><label for="${fieldId}">${ctx.t("console.circles.add_member")}</label><input id="${fieldId}" name="jid" type="text" required autocapitalize="none" spellcheck="false" placeholder="user@${ctx.site.domain}"></div>
<p><button class="button" type="submit">${ctx.t("console.circles.add_submit")}</button></p>`,
  );
  const remove = consoleForm(
    ctx,
    view.csrf,
    "/circles/delete",
    "delete-circle",
    html`<input type="hidden" name="circle" value="${circle.id}"><p><button class="button secondary" type="submit">${ctx.t("console.circles.delete")}</button></p>`,
  );
  return html`${add}${remove}`;
}

function circleItem(ctx: PageContext, view: CirclesView, circle: CircleWithMembers): SafeHtml {
  const chats =
    circle.rooms.length === 0
      ? html`<p class="none">${ctx.t("console.circles.no_chats")}</p>`
      : html`<p class="chats">${ctx.t("console.circles.chats", { chats: ctx.list(circle.rooms) })}</p>`;
  return html`<li class="circle" data-id="${circle.id}"><h3>${circle.name} <code>${circle.id}</code></h3>
${members(ctx, view, circle)}${chats}${view.isAdmin ? adminForms(ctx, view, circle) : ""}</li>`;
}

function createForm(ctx: PageContext, csrf: string): SafeHtml {
  return consoleForm(
    ctx,
    csrf,
    "/circles",
    "create-circle",
    html`<h2>${ctx.t("console.circles.create")}</h2>
<div class="field"><label for="circle-name">${ctx.t("console.circles.name")}</label><input id="circle-name" name="name" type="text" required maxlength="64"></div>
<p><button class="button" type="submit">${ctx.t("console.circles.create_submit")}</button></p>`,
  );
}

export function circlesPage(ctx: PageContext, view: CirclesView): string {
  const title = ctx.t("console.circles.title");
  const list =
    view.circles.length === 0
      ? html`<p class="none">${ctx.t(view.isAdmin ? "console.circles.none" : "console.circles.none_own")}</p>`
      : html`<ul class="circles">${view.circles.map((circle) => circleItem(ctx, view, circle))}</ul>`;
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>
${view.done === undefined ? "" : html`<p class="done" role="status">${view.done}</p>`}
${view.notice === undefined ? "" : html`<p class="error form-error" role="alert">${view.notice}</p>`}
<section class="circle-list">${list}</section>${view.isAdmin ? createForm(ctx, view.csrf) : ""}
<p><a href="${consolePath(ctx)}">${ctx.t("console.back")}</a></p>`,
  });
}

export function confirmDeletePage(
  ctx: PageContext,
  view: { readonly circle: { readonly id: string; readonly name: string }; readonly csrf: string },
): string {
  const title = ctx.t("console.circles.confirm_title", { name: view.circle.name });
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1><p class="confirm-body">${ctx.t("console.circles.confirm_body")}</p>
${consoleForm(
  ctx,
  view.csrf,
  "/circles/delete",
  "confirm-delete-circle",
  html`<input type="hidden" name="circle" value="${view.circle.id}"><input type="hidden" name="confirm" value="yes">
<p><button class="button" type="submit">${ctx.t("console.circles.confirm")}</button></p>`,
)}
<p><a href="${consolePath(ctx, "/circles")}">${ctx.t("console.circles.cancel")}</a></p>`,
  });
}
