/**
 * The first page's parts for reset links and circles (docs/console.md): an admin's "Password reset link" form,
 * the account invite's circles to join, a user's "Invite to a circle" form, the link to the circles' page, and the
 * heading of a reset link just made. Without any circle the visitor sees, no circle part is drawn at all.
 */
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { consoleForm } from "./console-form.js";
import { consolePath } from "./login-pages.js";

/** A circle as the forms offer it. */
export interface CircleChoiceView {
  readonly id: string;
  readonly name: string;
}

/** Admins: a link that sets a new password for an account of the domain (as chat `reset user@domain`). */
export function resetForm(ctx: PageContext, csrf: string): SafeHtml {
  return consoleForm(
    ctx,
    csrf,
    "/reset",
    "create-reset-link",
    html`<h3>${ctx.t("console.reset.heading")}</h3><p>${ctx.t("console.reset.body", { domain: ctx.site.domain })}</p>
<div class="field"><label for="reset-account">${ctx.t("console.reset.account")}</label><input id="reset-account" name="account" type="text" required autocapitalize="none" spellcheck="false" placeholder="user@${ctx.site.domain}"></div>
<p><button class="button" type="submit">${ctx.t("console.reset.submit")}</button></p>`,
  );
}

/** The account invite's circles, as check boxes (the ad-hoc form's `circles` field); nothing without circles. */
export function circleChoices(ctx: PageContext, circles: readonly CircleChoiceView[]): SafeHtml | "" {
  if (circles.length === 0) return "";
  const boxes = circles.map(
    ({ id, name }) => html`<label class="choice"><input type="checkbox" name="circles" value="${id}"> ${name}</label>`,
  );
  return html`<fieldset class="field circles-choice"><legend>${ctx.t("console.circles.account_field")}</legend>${boxes}</fieldset>`;
}

/** Someone who may invite new users: a contact invite into one of their circles (as ad-hoc "Invite to a circle"). */
export function circleInviteForm(ctx: PageContext, csrf: string, circles: readonly CircleChoiceView[]): SafeHtml {
  const options = circles.map(({ id, name }) => html`<option value="${id}">${name}</option>`);
  return consoleForm(
    ctx,
    csrf,
    "/circles/invite",
    "create-circle-invite",
    html`<h3>${ctx.t("console.circles.invite_heading")}</h3><p>${ctx.t("console.circles.invite_body", { domain: ctx.site.domain })}</p>
<div class="field"><label for="invite-circle">${ctx.t("console.circles.circle")}</label><select id="invite-circle" name="circle">${options}</select></div>
<p><button class="button" type="submit">${ctx.t("console.circles.invite_submit")}</button></p>`,
  );
}

export function circlesLink(ctx: PageContext): SafeHtml {
  return html`<p><a class="circles-link" href="${consolePath(ctx, "/circles")}">${ctx.t("console.circles.nav")}</a></p>`;
}

/** The heading and words above a link just made: a reset link says whose password it sets. */
export function createdWords(ctx: PageContext, resetFor: string | undefined): SafeHtml {
  if (resetFor === undefined) {
    return html`<h2>${ctx.t("console.created.heading")}</h2>
<p>${ctx.t("console.created.body")}</p>`;
  }
  return html`<h2>${ctx.t("console.reset.created_heading", { jid: resetFor })}</h2>
<p>${ctx.t("console.reset.created_body", { jid: resetFor })}</p>`;
}
