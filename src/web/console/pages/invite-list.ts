/**
 * The console's list of pending invites (docs/console.md): each with its kind, end, uses left, note and circles, an
 * Edit form and a Revoke button; for admins the list's filters; "Showing N of M" and the pages.
 */
import type { PendingInvite } from "../../../invites/pending.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import type { ListQuery } from "../list-query.js";
import { consoleForm } from "./console-form.js";
import { type ExpiryOption, editForm } from "./edit-form.js";
import { listFilters, listPaging } from "./list-filters.js";

export interface ListedInvite {
  readonly invite: PendingInvite;
  /** The names of its circles (docs/circles.md). */
  readonly circles: readonly string[];
  /** The longest lifetime from now this visitor may give it (src/invites/editing.ts). */
  readonly longest: number;
}

/** What the list needs of the page's view (console-page.ts, ConsoleView). */
export interface InviteListView {
  readonly isAdmin: boolean;
  readonly csrf: string;
  readonly invites: readonly ListedInvite[];
  /** How many pending invites the (filtered) list has in all; the page shows PAGE_SIZE of them. */
  readonly total: number;
  /** Which list this is (the page, and an admin's filters), and how many a page holds. */
  readonly query: ListQuery;
  readonly pageSize: number;
  /** The lifetimes an edit may choose (from now), before each invite's own limit. */
  readonly expiries: readonly ExpiryOption[];
  /** A refusal to show, in the visitor's language. */
  readonly notice?: string;
  /** The invite whose form the refusal answers: shown next to it when it is listed. */
  readonly noticeFor?: string | undefined;
}

export const alert = (text: string) => html`<p class="error form-error" role="alert">${text}</p>`;

/** Whether the refusal is shown next to an invite of the list rather than above everything. */
export const noticeListed = (view: InviteListView) => view.invites.some(({ invite }) => invite.id === view.noticeFor);

function when(ctx: PageContext, unixSeconds: number): string {
  const format = new Intl.DateTimeFormat(ctx.lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return `${format.format(new Date(unixSeconds * 1000))} UTC`;
}

function inviteItem(ctx: PageContext, view: InviteListView, { invite, circles, longest }: ListedInvite): SafeHtml {
  const uses =
    invite.maxUses === undefined
      ? ctx.t("console.invite.once")
      : ctx.tn("console.invite.uses_left", invite.maxUses, {
          left: String(invite.usesLeft ?? invite.maxUses),
          max: String(invite.maxUses),
        });
  const revoke = consoleForm(
    ctx,
    view.csrf,
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

export function invitesSection(ctx: PageContext, view: InviteListView): SafeHtml {
  const items = view.invites.map((listed) => inviteItem(ctx, view, listed));
  const more =
    view.total > view.invites.length
      ? html`<p class="more">${ctx.tn("console.invites.showing", view.total, { shown: String(view.invites.length), total: String(view.total) })}</p>`
      : "";
  return html`<section class="pending"><h2>${ctx.t("console.invites.heading")}</h2>
${view.isAdmin ? listFilters(ctx, view.query) : ""}
${items.length === 0 ? html`<p class="none">${ctx.t("console.invites.none")}</p>` : html`<ul class="invites">${items}</ul>`}${more}
${listPaging(ctx, view.query, view.total, view.pageSize)}</section>`;
}
