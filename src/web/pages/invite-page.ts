/** The landing page of an invite, one shape per kind (docs/web.md, "Pages"). */
import { circleJoinUri } from "../../invites/join-uri.js";
import { invitePagePath } from "../../invites/uri.js";
import { html, type SafeHtml } from "../html.js";
import type { InviteView } from "../invite-view.js";
import type { PageContext } from "../page-context.js";
import { appsSection } from "./apps-section.js";
import { page } from "./layout.js";
import { qrSection } from "./qr-section.js";
import { type FormState, registerPath, registrationForm } from "./register-form.js";

export function invitePageUrl(ctx: PageContext, view: InviteView): string {
  return `${ctx.site.url}${invitePagePath(view.token)}`;
}

function openButton(ctx: PageContext, view: InviteView, primary: boolean): SafeHtml {
  return html`<a class="button${primary ? "" : " secondary"} open-invite" href="${view.uri}">${ctx.t("apps.open_invite")}</a>`;
}

/** "… invites you to Family on example.org", and the group chats the account joins (docs/circles.md). */
function accountIntro(ctx: PageContext, view: InviteView): string {
  const site = ctx.site.name;
  const circles = ctx.list(view.circles);
  if (view.circles.length === 0) {
    return view.inviter === undefined
      ? ctx.t("page.account.intro", { site })
      : ctx.t("page.account.by", { inviter: view.inviter, site });
  }
  return view.inviter === undefined
    ? ctx.t("page.account.to_circles", { circles, site })
    : ctx.t("page.account.by_to_circles", { inviter: view.inviter, circles, site });
}

export function roomsLine(ctx: PageContext, view: InviteView): SafeHtml | "" {
  if (view.rooms.length === 0) return "";
  return html`<p class="rooms">${ctx.t("page.account.rooms", { rooms: ctx.list(view.rooms) })}</p>`;
}

/**
 * For someone who has an account on the domain already: join the invite's circles (or its group chats) with it,
 * through the bot's link (docs/circles.md, "Joining with an existing account"). Not for an invite bound to one new
 * username, and only where the bot's address is known.
 */
function existingAccountSection(ctx: PageContext, view: InviteView): SafeHtml | "" {
  const joins = view.circles.length > 0 ? view.circles : view.rooms;
  const bot = ctx.site.botJid;
  if (joins.length === 0 || bot === undefined || view.username !== undefined) return "";
  const values = { domain: view.domain, circles: ctx.list(joins) };
  return html`<section class="existing-account"><h2>${ctx.t("page.existing.title", values)}</h2>
<p>${ctx.t("page.existing.body", values)}</p>
<p><a class="button secondary join-existing" href="${circleJoinUri(bot, view.token)}">${ctx.t("page.existing.join")}</a></p></section>`;
}

function accountBody(ctx: PageContext, view: InviteView): SafeHtml {
  const site = ctx.site.name;
  return html`<h1>${ctx.t("page.account.title", { site })}</h1>
<p class="intro">${accountIntro(ctx, view)}</p>
${roomsLine(ctx, view)}
<p><a class="button create-account" href="${registerPath(ctx, view)}">${ctx.t("page.account.create")}</a></p>
<p>${ctx.t("page.account.app_first")}</p>
<p>${openButton(ctx, view, false)}</p>
${existingAccountSection(ctx, view)}`;
}

function accountContactBody(ctx: PageContext, view: InviteView, inviter: string): SafeHtml {
  return html`<h1>${ctx.t("page.contact.title", { inviter })}</h1>
<p class="intro">${ctx.t("page.contact.intro", { inviter })}</p>
<div class="paths">
<section class="path have-account"><h2>${ctx.t("page.contact.have_account")}</h2>
<p>${ctx.t("page.contact.have_account_body", { inviter })}</p><p>${openButton(ctx, view, true)}</p></section>
<section class="path need-account"><h2>${ctx.t("page.contact.need_account", { domain: view.domain })}</h2>
<p>${ctx.t("page.contact.need_account_body", { inviter })}</p>
<p><a class="button create-account" href="${registerPath(ctx, view)}">${ctx.t("page.account.create")}</a></p></section>
</div>
${existingAccountSection(ctx, view)}`;
}

function contactBody(ctx: PageContext, view: InviteView, inviter: string): SafeHtml {
  return html`<h1>${ctx.t("page.contact.title", { inviter })}</h1>
<p class="intro">${ctx.t("page.contact.intro", { inviter })}</p>
<p class="address">${ctx.t("page.contact.address", { address: inviter })}</p>
<p>${openButton(ctx, view, true)}</p>
${ctx.site.preApproves() ? "" : html`<p class="note no-preapproval">${ctx.t("page.contact.no_preapproval", { inviter })}</p>`}
<p>${ctx.t("page.contact.no_account")}</p>`;
}

/** The landing page; a reset link's landing page is its form. */
export function invitePage(ctx: PageContext, view: InviteView, form: FormState): string {
  if (view.kind === "reset") return resetPage(ctx, view, form);
  const inviter = view.inviter ?? view.domain;
  const body =
    view.kind === "account"
      ? accountBody(ctx, view)
      : view.kind === "account-contact"
        ? accountContactBody(ctx, view, inviter)
        : contactBody(ctx, view, inviter);
  const title =
    view.kind === "account"
      ? ctx.t("page.account.title", { site: ctx.site.name })
      : ctx.t("page.contact.title", { inviter });
  return page(ctx, {
    title,
    alternate: view.uri,
    body: html`${body}
${appsSection(ctx, view.uri, view.kind !== "contact")}
${qrSection(ctx, invitePageUrl(ctx, view), view.uri)}`,
  });
}

export function registerPage(ctx: PageContext, view: InviteView, form: FormState): string {
  if (view.kind === "reset") return resetPage(ctx, view, form);
  const inviter = view.inviter;
  const intro =
    view.kind === "account-contact" && inviter !== undefined
      ? ctx.t("page.contact.need_account_body", { inviter })
      : ctx.t(inviter === undefined ? "page.account.intro" : "page.account.by", {
          site: ctx.site.name,
          ...(inviter === undefined ? {} : { inviter }),
        });
  return page(ctx, {
    title: ctx.t("form.heading"),
    alternate: view.uri,
    body: html`<h1>${ctx.t("form.heading")}</h1>
<p class="intro">${intro}</p>
${registrationForm(ctx, view, form)}`,
  });
}

function resetPage(ctx: PageContext, view: InviteView, form: FormState): string {
  const account = `${view.username ?? ""}@${view.domain}`;
  return page(ctx, {
    title: ctx.t("page.reset.title", { account }),
    body: html`<h1>${ctx.t("page.reset.title", { account })}</h1>
<p class="intro">${ctx.t("page.reset.body", { account })}</p>
${registrationForm(ctx, view, form)}`,
  });
}
