/**
 * The small form under each pending invite of the console (docs/console.md, "Editing an invite"): a new lifetime
 * from now (only the choices this visitor may give this invite: src/invites/editing.ts longestLifetime) and, for a
 * counted invite, a new number of uses. Folded in a <details> so the list stays short on a phone; no script.
 */
import { MAX_USES } from "../../../invites/options.js";
import type { PendingInvite } from "../../../invites/pending.js";
import { CSRF_FIELD } from "../../csrf.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { consolePath } from "./login-pages.js";

export interface ExpiryOption {
  readonly seconds: number;
  readonly label: string;
}

export function editForm(
  ctx: PageContext,
  csrf: string,
  invite: PendingInvite,
  expiries: readonly ExpiryOption[],
  longest: number,
): SafeHtml {
  const id = invite.id;
  const choices = expiries
    .filter(({ seconds }) => seconds <= longest)
    .map(({ seconds, label }) => html`<option value="${String(seconds)}">${label}</option>`);
  const uses =
    invite.maxUses === undefined
      ? ""
      : html`<div class="field"><label for="uses-${id}">${ctx.t("console.edit.uses")}</label><input id="uses-${id}" name="uses" type="number" min="${String(invite.stored.used + 1)}" max="${String(MAX_USES)}" placeholder="${String(invite.maxUses)}"></div>`;
  return html`<details class="edit"><summary>${ctx.t("console.edit.open")}</summary>
<form class="edit-invite" method="post" action="${consolePath(ctx, "/edit")}">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="id" value="${id}">
<div class="field"><label for="ttl-${id}">${ctx.t("console.edit.expires")}</label><select id="ttl-${id}" name="ttl"><option value="">${ctx.t("console.edit.keep")}</option>${choices}</select></div>
${uses}<p><button class="button secondary" type="submit">${ctx.t("console.edit.submit")}</button></p></form></details>`;
}
