/**
 * A form of the console (docs/console.md): a POST to one of its paths with the session's form token, as every
 * console button is, so that a page of another site or of another session cannot press it.
 */
import { CSRF_FIELD } from "../../csrf.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { consolePath } from "./login-pages.js";

export function consoleForm(
  ctx: PageContext,
  csrf: string,
  action: string,
  className: string,
  inner: SafeHtml,
): SafeHtml {
  return html`<form class="${className}" method="post" action="${consolePath(ctx, action)}">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">${inner}</form>`;
}
