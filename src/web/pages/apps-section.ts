/**
 * The app choices on an invite page: the visitor's platform first, every app one click away (a wrong guess from
 * the User-Agent must never hide the right app), store links that carry the invite where the store can.
 */
import { type App, appsFor, type InviteAppLink, inviteLinks } from "../apps.js";
import { html, type SafeHtml } from "../html.js";
import type { PageContext } from "../page-context.js";

function appItem(ctx: PageContext, app: App, uri: string, offersRegistration: boolean): SafeHtml {
  const links = inviteLinks(app, uri);
  const comeBack = links.some((link: InviteAppLink) => link.comeBack);
  const buttons = links.map(
    (link) =>
      html`<a class="store ${link.kind}" href="${link.url}" rel="noreferrer noopener">${ctx.t(`apps.link.${link.kind}`)}</a>`,
  );
  const note = !app.opensInvites && offersRegistration ? html`<p class="note">${ctx.t("apps.register_first")}</p>` : "";
  return html`<li class="app" data-app="${app.id}"><h3>${app.name}</h3><p class="links">${buttons}</p>${
    comeBack ? html`<p class="note">${ctx.t("apps.come_back")}</p>` : ""
  }${note}</li>`;
}

export function appsSection(ctx: PageContext, uri: string, offersRegistration: boolean): SafeHtml {
  const all = ctx.site.apps;
  const platform = ctx.platform;
  const mine = platform === undefined ? [] : appsFor(all, platform).filter((app) => app.platforms.includes(platform));
  const first = mine.length > 0 ? mine : all;
  const items = (apps: readonly App[]) => apps.map((app) => appItem(ctx, app, uri, offersRegistration));
  const rest =
    mine.length > 0
      ? html`<details class="all-apps"><summary>${ctx.t("apps.all")}</summary><ul class="app-list">${items(all)}</ul></details>`
      : "";
  return html`<section class="apps"><h2>${ctx.t("apps.heading")}</h2><ul class="app-list">${items(first)}</ul>${rest}</section>`;
}
