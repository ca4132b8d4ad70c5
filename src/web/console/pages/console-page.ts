/**
 * The console's first page (docs/console.md): who is logged in, their pending invites with a Revoke button each,
 * the forms that create invites (account invites for admins only, with the options of their ad-hoc form), the
 * invite just made with its link and QR codes, and who joined through their invites. Every button is a POST
 * with the session's form token; no script.
 */
import type { PendingInvite } from "../../../invites/pending.js";
import { CSRF_FIELD } from "../../csrf.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { page } from "../../pages/layout.js";
import { qrSection } from "../../pages/qr-section.js";
import type { ListQuery } from "../list-query.js";
import { type ExpiryOption, editForm } from "./edit-form.js";
import { listFilters, listPaging } from "./list-filters.js";
import { consolePath } from "./login-pages.js";

export interface ListedInvite {
  readonly invite: PendingInvite;
  /** The names of its circles (docs/circles.md). */
  readonly circles: readonly string[];
  /** The longest lifetime from now this visitor may give it (src/invites/editing.ts). */
  readonly longest: number;
}

export interface ConsoleView {
  readonly jid: string;
  readonly isAdmin: boolean;
  readonly csrf: string;
  readonly invites: readonly ListedInvite[];
  /** How many pending invites there are in all (the page shows the first PAGE_SIZE). */
  readonly total: number;
  /** Which list this is (the page, and an admin's filters), and how many a page holds. */
  readonly query: ListQuery;
  readonly pageSize: number;
  readonly joined: readonly string[];
  readonly mayContact: boolean;
  readonly mayAccount: boolean;
  /** Whether the API keys' page is there for this visitor (admins, when the HTTP API is on). */
  readonly mayKeys: boolean;
  /** The lifetimes an account invite may have (seconds and label), the default first. */
  readonly lifetimes: readonly ExpiryOption[];
  /** The lifetimes an edit may choose (from now), before each invite's own limit. */
  readonly expiries: readonly ExpiryOption[];
  /** The invite just made: its page's address and its `xmpp:` URI. */
  readonly created?: { readonly url: string; readonly uri: string };
  /** A refusal to show above everything, in the visitor's language. */
  readonly notice?: string;
  /** The invite whose form the refusal answers: shown next to it when it is listed. */
  readonly noticeFor?: string | undefined;
}

function when(ctx: PageContext, unixSeconds: number): string {
  const format = new Intl.DateTimeFormat(ctx.lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return `${format.format(new Date(unixSeconds * 1000))} UTC`;
}

function form(ctx: PageContext, view: ConsoleView, action: string, className: string, inner: SafeHtml): SafeHtml {
  return html`<form class="${className}" method="post" action="${consolePath(ctx, action)}">
<input type="hidden" name="${CSRF_FIELD}" value="${view.csrf}">${inner}</form>`;
}

const alert = (text: string) => html`<p class="error form-error" role="alert">${text}</p>`;

/** Whether the refusal is shown next to an invite of the list rather than above everything. */
const noticeListed = (view: ConsoleView) => view.invites.some(({ invite }) => invite.id === view.noticeFor);

function inviteItem(ctx: PageContext, view: ConsoleView, { invite, circles, longest }: ListedInvite): SafeHtml {
  const uses =
    invite.maxUses === undefined
      ? ctx.t("console.invite.once")
      : ctx.t("console.invite.uses", { left: String(invite.usesLeft ?? invite.maxUses), max: String(invite.maxUses) });
  const revoke = form(
    ctx,
    view,
    "/revoke",
    "revoke",
    html`<input type="hidden" name="id" value="${invite.id}"><button class="button secondary" type="submit">${ctx.t("console.invite.revoke")}</button>`,
  );
  return html`<li class="invite" data-id="${invite.id}"><h3>${ctx.t(`console.kind.${invite.kind}`)} <code>${invite.id}</code></h3>
<p>${ctx.t("console.invite.expires", { when: when(ctx, invite.expires) })} · ${uses}</p>
${invite.username === undefined ? "" : html`<p>${ctx.t("console.invite.username", { username: invite.username })}</p>`}
${invite.note === undefined ? "" : html`<p class="note">${ctx.t("console.invite.note", { note: invite.note })}</p>`}
${circles.length === 0 ? "" : html`<p class="circles">${ctx.t("console.invite.circles", { circles: ctx.list(circles) })}</p>`}
${view.notice !== undefined && view.noticeFor === invite.id ? alert(view.notice) : ""}
${editForm(ctx, view.csrf, invite, view.expiries, longest)}${revoke}</li>`;
}

function invitesSection(ctx: PageContext, view: ConsoleView): SafeHtml {
  const items = view.invites.map((listed) => inviteItem(ctx, view, listed));
  const more =
    view.total > view.invites.length
      ? html`<p class="more">${ctx.t("console.invites.more", { shown: String(view.invites.length), total: String(view.total) })}</p>`
      : "";
  return html`<section class="pending"><h2>${ctx.t("console.invites.heading")}</h2>
${view.isAdmin ? listFilters(ctx, view.query) : ""}
${items.length === 0 ? html`<p class="none">${ctx.t("console.invites.none")}</p>` : html`<ul class="invites">${items}</ul>`}${more}
${listPaging(ctx, view.query, view.total, view.pageSize)}</section>`;
}

function createdSection(ctx: PageContext, created: NonNullable<ConsoleView["created"]>): SafeHtml {
  return html`<section class="created"><h2>${ctx.t("console.created.heading")}</h2>
<p>${ctx.t("console.created.body")}</p>
<p class="address"><a class="created-link" href="${created.url}">${created.url}</a></p>
${qrSection(ctx, created.url, created.uri)}</section>`;
}

function accountForm(ctx: PageContext, view: ConsoleView): SafeHtml {
  const options = view.lifetimes.map(
    ({ seconds, label }) => html`<option value="${String(seconds)}">${label}</option>`,
  );
  return form(
    ctx,
    view,
    "/invites",
    "create-account-invite",
    html`<input type="hidden" name="kind" value="account">
<h3>${ctx.t("console.create.account")}</h3>
<div class="field"><label for="ttl">${ctx.t("console.create.lifetime")}</label><select id="ttl" name="ttl">${options}</select></div>
<div class="field"><label for="uses">${ctx.t("console.create.uses")}</label><input id="uses" name="uses" type="number" min="1" max="100" value="1"></div>
<div class="field"><label for="note">${ctx.t("console.create.note")}</label><input id="note" name="note" type="text" maxlength="200"></div>
<p><button class="button" type="submit">${ctx.t("console.create.account_submit")}</button></p>`,
  );
}

function createSection(ctx: PageContext, view: ConsoleView): SafeHtml | "" {
  if (!view.mayContact && !view.mayAccount) return "";
  const contact = view.mayContact
    ? form(
        ctx,
        view,
        "/invites",
        "create-contact-invite",
        html`<input type="hidden" name="kind" value="contact"><h3>${ctx.t("console.create.contact")}</h3>
<p>${ctx.t("console.create.contact_body")}</p><p><button class="button" type="submit">${ctx.t("console.create.contact_submit")}</button></p>`,
      )
    : "";
  return html`<section class="create"><h2>${ctx.t("console.create.heading")}</h2>${contact}${view.mayAccount ? accountForm(ctx, view) : ""}</section>`;
}

function joinedSection(ctx: PageContext, view: ConsoleView): SafeHtml {
  const body =
    view.joined.length === 0
      ? html`<p class="none">${ctx.t("console.joined.none")}</p>`
      : html`<ul class="joiners">${view.joined.map((jid) => html`<li>${jid}</li>`)}</ul>`;
  return html`<section class="joined-through"><h2>${ctx.t("console.joined.heading")}</h2>${body}</section>`;
}

/** The console's other pages: the visitor's invite tree (admins: anyone's), and the API keys for admins. */
function navigation(ctx: PageContext, view: ConsoleView): SafeHtml {
  const tree = view.isAdmin
    ? html`<form class="tree-lookup" method="get" action="${ctx.site.basePath}/console/tree"><input type="hidden" name="lang" value="${ctx.lang}">
<div class="field"><label for="tree-jid">${ctx.t("console.nav.tree_of")}</label><input id="tree-jid" name="jid" type="text" autocapitalize="none" spellcheck="false" value="${view.jid}"></div>
<p><button class="button secondary" type="submit">${ctx.t("console.nav.tree_show")}</button></p></form>`
    : html`<p><a class="tree-link" href="${consolePath(ctx, "/tree")}">${ctx.t("console.nav.tree")}</a></p>`;
  const keys = view.mayKeys
    ? html`<p><a class="keys-link" href="${consolePath(ctx, "/keys")}">${ctx.t("console.nav.keys")}</a></p>`
    : "";
  return html`<nav class="console-nav">${tree}${keys}</nav>`;
}

export function consolePage(ctx: PageContext, view: ConsoleView): string {
  const title = ctx.t("console.title");
  const logout = form(
    ctx,
    view,
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
${invitesSection(ctx, view)}
${createSection(ctx, view)}
${joinedSection(ctx, view)}`,
  });
}
