/** Pages that only say something: a link no longer valid, nothing here, too many attempts, not available. */
import { html } from "../html.js";
import type { PageContext } from "../page-context.js";
import { page } from "./layout.js";

export type Message =
  | { readonly kind: "home" }
  | { readonly kind: "invalid" }
  | { readonly kind: "not-found" }
  | { readonly kind: "too-many"; readonly retryAfterSeconds: number }
  | { readonly kind: "unavailable" }
  | { readonly kind: "error"; readonly status: number };

function texts(ctx: PageContext, message: Message): { title: string; body: string } {
  const site = ctx.site.name;
  switch (message.kind) {
    case "home":
      return { title: ctx.t("page.home.title", { site }), body: ctx.t("page.home.body", { domain: ctx.site.domain }) };
    case "invalid":
      return { title: ctx.t("page.invalid.title"), body: ctx.t("page.invalid.body") };
    case "not-found":
      return { title: ctx.t("page.not_found.title"), body: ctx.t("page.not_found.body", { site }) };
    case "too-many": {
      const minutes = Math.max(1, Math.ceil(message.retryAfterSeconds / 60));
      const body = ctx.tn("page.too_many.wait", minutes, { minutes: String(minutes) });
      return { title: ctx.t("page.too_many.title"), body };
    }
    case "unavailable":
      return { title: ctx.t("page.unavailable.title"), body: ctx.t("page.unavailable.body") };
    case "error":
      return { title: ctx.t("page.error.title"), body: ctx.t("page.error.body", { status: String(message.status) }) };
  }
}

export function messagePage(ctx: PageContext, message: Message): string {
  const { title, body } = texts(ctx, message);
  return page(ctx, { title, body: html`<h1>${title}</h1><p class="message ${message.kind}">${body}</p>` });
}
