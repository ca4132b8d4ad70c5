/**
 * The console's first page (docs/console.md): who is logged in, their pending invites with a Revoke button each,
 * the forms that create invites (account invites for admins only, with the options of their ad-hoc form), the
 * invite just made with its link and QR codes, and who joined through their invites. Every button is a POST
 * with the session's form token; no script.
 */
import type { InviteCounts } from "../../../invites/stats.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { page } from "../../pages/layout.js";
import { qrSection } from "../../pages/qr-section.js";
import { consoleForm } from "./console-form.js";
import {
  type CircleChoiceView,
  circleChoices,
  circleInviteForm,
  circlesLink,
  createdWords,
  resetForm,
} from "./create-parts.js";
import type { ExpiryOption } from "./edit-form.js";
import { alert, type InviteListView, invitesSection, noticeListed } from "./invite-list.js";
import { consolePath } from "./login-pages.js";
import { summarySection } from "./summary-section.js";

export type { ListedInvite } from "./invite-list.js";

export interface ConsoleView extends InviteListView {
  readonly jid: string;
  /** The admins' summary (src/invites/stats.ts); absent for users, or without the store's logs. */
  readonly summary?: readonly InviteCounts[];
  readonly joined: readonly string[];
  readonly mayContact: boolean;
  readonly mayAccount: boolean;
  /** Whether the API keys' page is there for this visitor (admins, when the HTTP API is on). */
  readonly mayKeys: boolean;
  /** Whether this visitor may make password reset links (admins). */
  readonly mayReset: boolean;
  /** The circles this visitor sees (admins: all; users: their own); none: no circle parts on the page. */
  readonly circles: readonly CircleChoiceView[];
  /** Whether they may invite into their circles (those who may invite new users, with an account here). */
  readonly mayCircleInvite: boolean;
  /** The lifetimes an account invite may have (seconds and label), the default first. */
  readonly lifetimes: readonly ExpiryOption[];
  /** The invite just made: its page's address and its `xmpp:` URI; for a reset link, whose password it sets. */
  readonly created?: { readonly url: string; readonly uri: string; readonly resetFor?: string };
}

function createdSection(ctx: PageContext, created: NonNullable<ConsoleView["created"]>): SafeHtml {
  return html`<section class="created">${createdWords(ctx, created.resetFor)}
<p class="address"><a class="created-link" href="${created.url}">${created.url}</a></p>
${qrSection(ctx, created.url, created.uri)}</section>`;
}

function accountForm(ctx: PageContext, view: ConsoleView): SafeHtml {
  const options = view.lifetimes.map(
    ({ seconds, label }) => html`<option value="${String(seconds)}">${label}</option>`,
  );
  return consoleForm(
    ctx,
    view.csrf,
    "/invites",
    "create-account-invite",
    html`<input type="hidden" name="kind" value="account">
<h3>${ctx.t("console.create.account")}</h3>
<div class="field"><label for="ttl">${ctx.t("console.create.lifetime")}</label><select id="ttl" name="ttl">${options}</select></div>
<div class="field"><label for="uses">${ctx.t("console.create.uses")}</label><input id="uses" name="uses" type="number" min="1" max="100" value="1"></div>
<div class="field"><label for="note">${ctx.t("console.create.note")}</label><input id="note" name="note" type="text" maxlength="200"></div>
${circleChoices(ctx, view.circles)}<p><button class="button" type="submit">${ctx.t("console.create.account_submit")}</button></p>`,
  );
}

function createSection(ctx: PageContext, view: ConsoleView): SafeHtml | "" {
  const circleInvite = view.mayCircleInvite && view.circles.length > 0;
  if (!view.mayContact && !view.mayAccount && !circleInvite) return "";
  const contact = view.mayContact
    ? consoleForm(
        ctx,
        view.csrf,
        "/invites",
        "create-contact-invite",
        html`<input type="hidden" name="kind" value="contact"><h3>${ctx.t("console.create.contact")}</h3>
<p>${ctx.t("console.create.contact_body")}</p><p><button class="button" type="submit">${ctx.t("console.create.contact_submit")}</button></p>`,
      )
    : "";
  return html`<section class="create"><h2>${ctx.t("console.create.heading")}</h2>${contact}
${circleInvite ? circleInviteForm(ctx, view.csrf, view.circles) : ""}${view.mayAccount ? accountForm(ctx, view) : ""}
${view.mayReset ? resetForm(ctx, view.csrf) : ""}</section>`;
}

function joinedSection(ctx: PageContext, view: ConsoleView): SafeHtml {
  const body =
    view.joined.length === 0
      ? html`<p class="none">${ctx.t("console.joined.none")}</p>`
      : html`<ul class="joiners">${view.joined.map((jid) => html`<li>${jid}</li>`)}</ul>`;
  return html`<section class="joined-through"><h2>${ctx.t("console.joined.heading")}</h2>${body}</section>`;
}

/**
 * The console's other pages: the invite tree (admins: anyone's), the circles when there are any, and for admins the
 * accounts waiting for approval and the API keys.
 */
function navigation(ctx: PageContext, view: ConsoleView): SafeHtml {
  const tree = view.isAdmin
    ? html`<form class="tree-lookup" method="get" action="${ctx.site.basePath}/console/tree"><input type="hidden" name="lang" value="${ctx.lang}">
<div class="field"><label for="tree-jid">${ctx.t("console.nav.tree_of")}</label><input id="tree-jid" name="jid" type="text" autocapitalize="none" spellcheck="false" value="${view.jid}"></div>
<p><button class="button secondary" type="submit">${ctx.t("console.nav.tree_show")}</button></p></form>`
    : html`<p><a class="tree-link" href="${consolePath(ctx, "/tree")}">${ctx.t("console.nav.tree")}</a></p>`;
  const keys = view.mayKeys
    ? html`<p><a class="keys-link" href="${consolePath(ctx, "/keys")}">${ctx.t("console.nav.keys")}</a></p>`
    : "";
  const approvals = view.isAdmin
    ? html`<p><a class="approvals-link" href="${consolePath(ctx, "/approvals")}">${ctx.t("console.nav.approvals")}</a></p>`
    : "";
  return html`<nav class="console-nav">${tree}${view.circles.length > 0 ? circlesLink(ctx) : ""}${approvals}${keys}</nav>`;
}

export function consolePage(ctx: PageContext, view: ConsoleView): string {
  const title = ctx.t("console.title");
  const logout = consoleForm(
    ctx,
    view.csrf,
    "/logout",
    "logout",
    html`<button class="button secondary" type="submit">${ctx.t("console.logout")}</button>`,
  );
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>
<p class="logged-in">${ctx.t("console.logged_in", { jid: view.jid })}</p>${logout}
${navigation(ctx, view)}
${view.notice === undefined || noticeListed(view) ? "" : alert(view.notice)}
${view.created === undefined ? "" : createdSection(ctx, view.created)}
${view.summary === undefined ? "" : summarySection(ctx, view.summary)}
${invitesSection(ctx, view)}
${createSection(ctx, view)}
${joinedSection(ctx, view)}`,
  });
}
