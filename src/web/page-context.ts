/**
 * What every page needs besides its own data: the visitor's language (with the catalog to speak it), the site,
 * the visitor's platform, and where the pages live under WEB_URL.
 */
import type { App } from "./apps.js";
import { type Catalog, translate } from "./i18n.js";
import type { Platform } from "./platform.js";

export interface Site {
  readonly name: string;
  readonly domain: string;
  /** WEB_URL without a trailing slash, e.g. `https://example.org/join`. */
  readonly url: string;
  /** The path part of WEB_URL ("" or e.g. "/join"): every route and asset is under it. */
  readonly basePath: string;
  readonly apps: readonly App[];
  /** Each language's code and its own name, for the language switch. */
  readonly languages: readonly { readonly code: string; readonly name: string }[];
  /** Whether the server approves an invite's contact request by itself (XEP-0379); not where the bot registers. */
  readonly preApproves: () => boolean;
  /**
   * The bot's bare JID, the address an existing account's app subscribes to with an invite's token to join its
   * circles (docs/circles.md, "Joining with an existing account"); the pages offer that only when it is known.
   */
  readonly botJid?: string;
}

export interface PageContext {
  readonly site: Site;
  readonly lang: string;
  readonly platform: Platform | undefined;
  /** The page's own path under the site, without query (for the language switch). */
  readonly path: string;
  t(key: string, values?: Readonly<Record<string, string>>): string;
  /**
   * The message `key` for the number `count`: the form of its plural family that the page's language needs for it
   * ("1 minute", "5 minutes"; src/web/i18n.ts). `values` holds the placeholders, the number's own too.
   */
  tn(key: string, count: number, values?: Readonly<Record<string, string>>): string;
  /** Names joined as the page's language joins them: "Family, Work and Chess club". */
  list(items: readonly string[]): string;
}

export function pageContext(
  site: Site,
  catalog: Catalog,
  lang: string,
  platform: Platform | undefined,
  path: string,
): PageContext {
  const joined = new Intl.ListFormat(lang, { style: "long", type: "conjunction" });
  return {
    site,
    lang,
    platform,
    path,
    t: (key, values) => translate(catalog, key, values),
    tn: (key, count, values) => translate(catalog, key, values, { lang, count }),
    list: (items) => joined.format(items),
  };
}
