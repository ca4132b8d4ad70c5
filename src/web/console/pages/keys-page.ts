/**
 * The API keys' page for admins (docs/console.md, "API keys"): every key by name, scope, maker and last use, each
 * with a Revoke button; the form that makes one; and a key just made, shown this once. Anyone else sees only that
 * the page is for administrators.
 */
import type { ApiKey } from "../../../invites/api-keys.js";
import { CSRF_FIELD } from "../../csrf.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { page } from "../../pages/layout.js";
import { consolePath } from "./login-pages.js";

export interface KeysView {
  /** Undefined for a visitor who is not an admin. */
  readonly keys: readonly ApiKey[] | undefined;
  readonly csrf: string;
  /** The key just made: on this page once, never again. */
  readonly created?: { readonly name: string; readonly key: string };
  readonly notice?: string;
}

function when(ctx: PageContext, unixSeconds: number): string {
  const format = new Intl.DateTimeFormat(ctx.lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
  return `${format.format(new Date(unixSeconds * 1000))} UTC`;
}

function keyItem(ctx: PageContext, csrf: string, key: ApiKey): SafeHtml {
  const used = key.lastUsedAt === undefined ? ctx.t("console.keys.never_used") : when(ctx, key.lastUsedAt);
  return html`<li class="api-key" data-name="${key.name}"><h3><code>${key.name}</code> · ${ctx.t(`console.keys.scope_${key.scope}`)}</h3>
<p>${ctx.t("console.keys.made", { jid: key.createdBy, when: when(ctx, key.createdAt) })} · ${ctx.t("console.keys.last_used", { when: used })}</p>
<form class="revoke-key" method="post" action="${consolePath(ctx, "/keys/revoke")}"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="name" value="${key.name}">
<button class="button secondary" type="submit">${ctx.t("console.keys.revoke")}</button></form></li>`;
}

function createForm(ctx: PageContext, csrf: string): SafeHtml {
  return html`<form class="create-key" method="post" action="${consolePath(ctx, "/keys")}"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<h2>${ctx.t("console.keys.create")}</h2>
<div class="field"><label for="key-name">${ctx.t("console.keys.name")}</label><input id="key-name" name="name" type="text" required maxlength="40" pattern="[a-z0-9][a-z0-9._\\-]{0,39}" autocapitalize="none" spellcheck="false"></div>
<div class="field"><label for="key-scope">${ctx.t("console.keys.scope")}</label><select id="key-scope" name="scope">
<option value="create">${ctx.t("console.keys.scope_create")}</option><option value="manage">${ctx.t("console.keys.scope_manage")}</option></select></div>
<p><button class="button" type="submit">${ctx.t("console.keys.create_submit")}</button></p></form>`;
}

export function keysPage(ctx: PageContext, view: KeysView): string {
  const title = ctx.t("console.keys.title");
  const back = html`<p><a href="${consolePath(ctx)}">${ctx.t("console.back")}</a></p>`;
  if (view.keys === undefined) {
    return page(ctx, {
      title,
      body: html`<h1>${title}</h1><p class="error">${ctx.t("console.keys.admins_only")}</p>${back}`,
    });
  }
  const created =
    view.created === undefined
      ? ""
      : html`<section class="created-key"><h2>${ctx.t("console.keys.created", { name: view.created.name })}</h2>
<p><code class="api-key-value">${view.created.key}</code></p><p class="keep">${ctx.t("console.keys.keep")}</p></section>`;
  const list =
    view.keys.length === 0
      ? html`<p class="none">${ctx.t("console.keys.none")}</p>`
      : html`<ul class="api-keys">${view.keys.map((key) => keyItem(ctx, view.csrf, key))}</ul>`;
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>
${view.notice === undefined ? "" : html`<p class="error form-error" role="alert">${view.notice}</p>`}
${created}<section class="keys">${list}</section>${createForm(ctx, view.csrf)}${back}`,
  });
}
