/**
 * The registration form (and the password reset form): what was typed comes back after a mistake (never the
 * password), each error next to its field and announced to screen readers, the username fixed when the invite
 * is bound to one. Plain HTML: it works without JavaScript.
 */
import { inviteFormPath } from "../../invites/uri.js";
import { CSRF_FIELD } from "../csrf.js";
import { html, type SafeHtml } from "../html.js";
import type { InviteView } from "../invite-view.js";
import type { PageContext } from "../page-context.js";

export interface FormState {
  /** As the visitor typed it (or the invite's bound username). */
  readonly username: string;
  /** Already in the visitor's language. */
  readonly errors: Readonly<{ username?: string; password?: string; form?: string }>;
  readonly csrf: string;
  /** The app the visitor picked, carried to the success page. */
  readonly app?: string | undefined;
}

export function registerPath(ctx: PageContext, view: InviteView): string {
  return `${ctx.site.basePath}${inviteFormPath(view.token)}?lang=${ctx.lang}`;
}

function errorFor(id: string, message: string | undefined): SafeHtml | string {
  return message === undefined ? "" : html`<p class="error" id="${id}-error">${message}</p>`;
}

function described(id: string, hint: string | undefined, message: string | undefined): string {
  return [hint === undefined ? undefined : `${id}-hint`, message === undefined ? undefined : `${id}-error`]
    .filter((part) => part !== undefined)
    .join(" ");
}

export function registrationForm(ctx: PageContext, view: InviteView, state: FormState): SafeHtml {
  const fixed = view.username !== undefined;
  const reset = view.kind === "reset";
  const { errors } = state;
  const hint = fixed ? ctx.t("form.username_fixed") : ctx.t("form.username_hint", { domain: view.domain });
  const usernameDescribed = described("username", hint, errors.username);
  const passwordDescribed = described("password", undefined, errors.password);
  return html`<form class="register" method="post" action="${registerPath(ctx, view)}" novalidate>
${errors.form === undefined ? "" : html`<p class="error form-error" role="alert">${errors.form}</p>`}
<input type="hidden" name="${CSRF_FIELD}" value="${state.csrf}">
${state.app === undefined ? "" : html`<input type="hidden" name="app" value="${state.app}">`}
<div class="field">
<label for="username">${ctx.t("form.username")}</label>
<span class="with-domain"><input id="username" name="username" type="text" value="${state.username}" autocomplete="username" autocapitalize="none" spellcheck="false" required${fixed ? html` readonly` : ""} aria-describedby="${usernameDescribed}"${errors.username === undefined ? "" : html` aria-invalid="true"`}><span class="domain">@${view.domain}</span></span>
<p class="hint" id="username-hint">${hint}</p>
${errorFor("username", errors.username)}
</div>
<div class="field">
<label for="password">${ctx.t("form.password")}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required aria-describedby="${passwordDescribed}"${errors.password === undefined ? "" : html` aria-invalid="true"`}>
</div>
<div class="field">
<label for="password_again">${ctx.t("form.password_again")}</label>
<input id="password_again" name="password_again" type="password" autocomplete="new-password" required aria-describedby="${passwordDescribed}">
${errorFor("password", errors.password)}
</div>
<p><button type="submit">${ctx.t(reset ? "form.reset_submit" : "form.submit")}</button></p>
</form>`;
}
