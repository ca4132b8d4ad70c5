/** The frame of every page: language, title, our own stylesheet, the language switch. No script anywhere. */
import { html, type SafeHtml } from "../html.js";
import type { PageContext } from "../page-context.js";

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  /** The invite's `xmpp:` URI, announced for clients that read the page (also sent as a `Link` header). */
  readonly alternate?: string;
}

function languageSwitch(ctx: PageContext): SafeHtml {
  const links = ctx.site.languages.map(({ code, name }) =>
    code === ctx.lang
      ? html`<li><span aria-current="true" lang="${code}">${name}</span></li>`
      : html`<li><a href="${ctx.site.basePath}${ctx.path}?lang=${code}" hreflang="${code}" lang="${code}">${name}</a></li>`,
  );
  return html`<nav class="languages" aria-label="${ctx.t("language.switch")}"><ul>${links}</ul></nav>`;
}

export function page(ctx: PageContext, options: PageOptions): string {
  const alternate = options.alternate === undefined ? "" : html`<link rel="alternate" href="${options.alternate}">`;
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · ${ctx.site.name}</title>
<link rel="stylesheet" href="${ctx.site.basePath}/assets/style.css">
<link rel="icon" href="${ctx.site.basePath}/assets/icon.svg" type="image/svg+xml">
${alternate}
</head>
<body>
<header class="site"><p class="site-name">${ctx.site.name}</p>${languageSwitch(ctx)}</header>
<main>
${options.body}
</main>
</body>
</html>
`.markup;
}
