/**
 * The invite pages' languages: message catalogs as plain data files (data/locales/LANG.json, one flat object
 * of key → text with `{name}` placeholders), the visitor's language from `Accept-Language` (RFC 9110 §12.5.4),
 * and filling in a message. English is the reference catalog: a test fails when another lacks a key or a
 * placeholder.
 */

export type Catalog = Readonly<Record<string, string>>;

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

/**
 * The message `key` with its placeholders filled in, as plain text (the page templates escape it); a missing key
 * or value is a bug, and throws.
 */
export function translate(catalog: Catalog, key: string, values: Readonly<Record<string, string>> = {}): string {
  const text = catalog[key];
  if (text === undefined) throw new Error(`no message "${key}"`);
  return text.replace(/\{(\w+)\}/gu, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`message "${key}" needs a value for {${name}}`);
    return value;
  });
}
