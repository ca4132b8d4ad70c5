/** Two QR codes: this page's address (to go on on a phone) and the invite URI (for an app's scanner). */
import { html, type SafeHtml } from "../html.js";
import type { PageContext } from "../page-context.js";
import { qrSvg } from "../qr.js";

export function qrSection(ctx: PageContext, pageUrl: string, uri: string): SafeHtml {
  return html`<section class="qr"><h2>${ctx.t("qr.heading")}</h2><div class="codes">
<figure>${qrSvg(pageUrl, ctx.t("qr.page"))}<figcaption>${ctx.t("qr.page")}</figcaption></figure>
<figure>${qrSvg(uri, ctx.t("qr.uri"))}<figcaption>${ctx.t("qr.uri")}</figcaption></figure>
</div></section>`;
}
