/**
 * The console's pages before a session (docs/console.md): "Log in as …" behind a login link (a button, because
 * chat apps open links for their previews and must not use them up), the form that has a link sent over XMPP, the
 * same answer to it whatever address was typed, and the one page for every link that does not work.
 */
import { CSRF_FIELD } from "../../csrf.js";
import { html } from "../../html.js";
import type { PageContext } from "../../page-context.js";
import { page } from "../../pages/layout.js";

/** Where the console's pages are, under WEB_URL's path. */
export function consolePath(ctx: PageContext, rest = ""): string {
  return `${ctx.site.basePath}/console${rest}?lang=${ctx.lang}`;
}

function bot(ctx: PageContext): string {
  return ctx.site.botJid ?? ctx.site.domain;
}

export function confirmLoginPage(ctx: PageContext, token: string, jid: string, csrf: string): string {
  const title = ctx.t("console.login.title");
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>
<p class="intro">${ctx.t("console.login.body", { site: ctx.site.name })}</p>
<form class="console-login" method="post" action="${consolePath(ctx, `/login/${token}`)}">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<p><button class="button" type="submit">${ctx.t("console.login.confirm", { jid })}</button></p>
</form>`,
  });
}

export function invalidLoginPage(ctx: PageContext): string {
  const title = ctx.t("console.login.invalid_title");
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1><p class="message invalid-login">${ctx.t("console.login.invalid_body", { bot: bot(ctx) })}</p>`,
  });
}

/** `/console` without a session: how to get a login link. */
export function askLinkPage(ctx: PageContext, csrf: string): string {
  const title = ctx.t("console.ask.title");
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1>
<p class="intro">${ctx.t("console.ask.body", { bot: bot(ctx) })}</p>
<form class="ask-link" method="post" action="${consolePath(ctx, "/link")}">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<div class="field">
<label for="address">${ctx.t("console.ask.address")}</label>
<input id="address" name="address" type="email" autocomplete="username" autocapitalize="none" spellcheck="false" required placeholder="${ctx.t("console.ask.placeholder", { domain: ctx.site.domain })}">
</div>
<p><button class="button" type="submit">${ctx.t("console.ask.send")}</button></p>
</form>`,
  });
}

/** The same answer for every address: nothing tells whether it is an account here. */
export function linkSentPage(ctx: PageContext, address: string): string {
  const title = ctx.t("console.sent.title");
  return page(ctx, {
    title,
    body: html`<h1>${title}</h1><p class="message link-sent">${ctx.t("console.sent.body", { address })}</p>
<p><a class="button secondary" href="${consolePath(ctx)}">${ctx.t("console.sent.back")}</a></p>`,
  });
}
