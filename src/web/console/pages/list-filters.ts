/**
 * The filters above an admin's list of every pending invite, and the links to the list's other pages
 * (docs/console.md, "All pending invites, for admins"). A GET form: the filters are in the address, bookmarkable.
 */
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { LIST_KINDS, type ListQuery } from "../list-query.js";

function listHref(ctx: PageContext, query: ListQuery, page: number): string {
  const params = new URLSearchParams({ lang: ctx.lang, page: String(page) });
  if (query.inviter !== undefined) params.set("inviter", query.inviter);
  if (query.kind !== undefined) params.set("kind", query.kind);
  if (query.soon) params.set("soon", "1");
  return `${ctx.site.basePath}/console?${params.toString()}`;
}

export function listFilters(ctx: PageContext, query: ListQuery): SafeHtml {
  const kinds = LIST_KINDS.map(
    (kind) =>
      html`<option value="${kind}"${query.kind === kind ? html` selected` : ""}>${ctx.t(`console.kind.${kind}`)}</option>`,
  );
  return html`<form class="list-filters" method="get" action="${ctx.site.basePath}/console"><input type="hidden" name="lang" value="${ctx.lang}">
<div class="field"><label for="filter-inviter">${ctx.t("console.filter.inviter")}</label><input id="filter-inviter" name="inviter" type="text" autocapitalize="none" spellcheck="false" value="${query.inviter ?? ""}"></div>
<div class="field"><label for="filter-kind">${ctx.t("console.filter.kind")}</label><select id="filter-kind" name="kind"><option value="">${ctx.t("console.filter.any_kind")}</option>${kinds}</select></div>
<div class="field"><label><input name="soon" type="checkbox" value="1"${query.soon ? html` checked` : ""}> ${ctx.t("console.filter.soon")}</label></div>
<p><button class="button secondary" type="submit">${ctx.t("console.filter.apply")}</button></p></form>`;
}

/** "Previous" and "Next" when there are pages before or after this one. */
export function listPaging(ctx: PageContext, query: ListQuery, total: number, pageSize: number): SafeHtml | "" {
  const last = Math.max(1, Math.ceil(total / pageSize));
  if (last === 1) return "";
  const previous =
    query.page > 1
      ? html`<a rel="prev" href="${listHref(ctx, query, query.page - 1)}">${ctx.t("console.list.previous")}</a> `
      : "";
  const next =
    query.page < last
      ? html` <a rel="next" href="${listHref(ctx, query, query.page + 1)}">${ctx.t("console.list.next")}</a>`
      : "";
  return html`<nav class="paging"><p>${previous}${ctx.t("console.list.page", { page: String(query.page), pages: String(last) })}${next}</p></nav>`;
}
