/**
 * The invite pages' languages: message catalogs as plain data files (data/locales/LANG.json, one flat object
 * of key → text with `{name}` placeholders), the visitor's language from `Accept-Language` (RFC 9110 §12.5.4),
 * and filling in a message. English is the reference catalog: a test fails when another lacks a key or a
 * placeholder.
 *
 * A message with a count ("3 invites") is a family of keys, one per CLDR plural category of the catalog's language
 * (Unicode TR35, "Language Plural Rules"; Intl.PluralRules): `KEY.one` and `KEY.other` in English, `KEY.one`,
 * `KEY.few`, `KEY.many` and `KEY.other` in Polish, Russian and Ukrainian. A catalog may instead give a plain `KEY`
 * phrased to fit every number ("5 min"); a plain key of its own never ends in a category's name.
 */

export type Catalog = Readonly<Record<string, string>>;

/** The CLDR plural categories, in CLDR's order. */
export const PLURAL_CATEGORIES: readonly string[] = ["zero", "one", "two", "few", "many", "other"];

/** The number a message with plural forms is about, and the language whose rules pick its form. */
export interface Count {
  readonly lang: string;
  readonly count: number;
}

export const FALLBACK_LANGUAGE = "en";

/** A catalog read from a data file; throws naming the first entry that is not a string. */
export function parseCatalog(data: unknown, where: string): Catalog {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new Error(`${where}: a message catalog is one object of "key": "text"`);
  }
  for (const [key, text] of Object.entries(data)) {
    if (typeof text !== "string") throw new Error(`${where}: "${key}" must be a string`);
  }
  return data as Catalog;
}

/** The `{name}` placeholders of a message, sorted. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/gu)].map((match) => match[1] ?? "").sort();
}

/** A language range of Accept-Language with its weight; ranges with q=0 are refused by the visitor. */
function ranges(header: string): { tag: string; q: number }[] {
  return header
    .split(",")
    .map((part, index) => {
      const [range = "", ...params] = part.trim().split(";");
      const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      return { tag: range.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.tag !== "" && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
}

/**
 * The best of `available` (lower-case primary tags such as "de") for an Accept-Language header: the first range
 * by weight whose primary subtag we have ("de-CH" → "de"); `*` takes the fallback; nothing matching → fallback.
 */
export function negotiateLanguage(header: string | undefined, available: readonly string[]): string {
  for (const { tag } of ranges(header ?? "")) {
    if (tag === "*") return FALLBACK_LANGUAGE;
    const primary = tag.split("-")[0] ?? "";
    if (available.includes(primary)) return primary;
  }
  return FALLBACK_LANGUAGE;
}

/** The plural categories a language's messages with a count need (cardinal numbers, integers and fractions). */
export function pluralCategoriesOf(lang: string): string[] {
  const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories as readonly string[];
  return PLURAL_CATEGORIES.filter((category) => needed.includes(category));
}

/**
 * A catalog's messages: each plain key with its text, and each family of plural forms (the keys `KEY.CATEGORY`
 * beside a `KEY.other`) under `KEY` with its forms by category.
 */
export function messagesOf(catalog: Catalog): Map<string, string | Readonly<Record<string, string>>> {
  const messages = new Map<string, string | Record<string, string>>();
  for (const [key, text] of Object.entries(catalog)) {
    const cut = key.lastIndexOf(".");
    const [base, category] = [key.slice(0, cut), key.slice(cut + 1)];
    const isForm = cut > 0 && PLURAL_CATEGORIES.includes(category) && catalog[`${base}.other`] !== undefined;
    if (!isForm) {
      messages.set(key, text);
      continue;
    }
    const forms = messages.get(base);
    messages.set(base, { ...(typeof forms === "object" ? forms : {}), [category]: text });
  }
  return messages;
}

/** The text of `key` for `count`: its form for the count's plural category, or else the catalog's plain `key`. */
function textFor(catalog: Catalog, key: string, count: Count | undefined): string | undefined {
  if (count === undefined) return catalog[key];
  const category = new Intl.PluralRules(count.lang).select(count.count);
  return catalog[`${key}.${category}`] ?? catalog[key];
}

/** Why a message is missing: asked without the count its plural forms need, or lacking the form for one. */
function missingDetail(catalog: Catalog, key: string, count: Count | undefined): string {
  if (count !== undefined) return ` for ${count.count} in ${count.lang}`;
  return catalog[`${key}.other`] === undefined ? "" : " without a count";
}

/**
 * The message `key` with its placeholders filled in, as plain text (the page templates escape it); with a `count`,
 * the form of `key` for that number in `count.lang`. A missing key, form or value is a bug, and throws.
 */
export function translate(
  catalog: Catalog,
  key: string,
  values: Readonly<Record<string, string>> = {},
  count?: Count,
): string {
  const text = textFor(catalog, key, count);
  if (text === undefined) throw new Error(`no message "${key}"${missingDetail(catalog, key, count)}`);
  return text.replace(/\{(\w+)\}/gu, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`message "${key}" needs a value for {${name}}`);
    return value;
  });
}
