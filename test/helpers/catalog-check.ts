/**
 * The completeness rule of the message catalogs (src/web/i18n.ts), as a list of what is wrong with one catalog
 * against the English one: every English message and no other; a plain English message plain here too; a
 * message with plural forms in English either all the forms this language's CLDR rules need, or one plain text
 * phrased to fit every number; and everywhere the placeholders of the English text.
 */
import { type Catalog, messagesOf, placeholdersOf, pluralCategoriesOf } from "../../src/web/i18n.js";

const sorted = (items: Iterable<string>): string => [...items].sort().join(", ");

export function catalogProblems(reference: Catalog, catalog: Catalog, lang: string): string[] {
  const problems: string[] = [];
  const english = messagesOf(reference);
  const own = messagesOf(catalog);
  for (const key of own.keys()) if (!english.has(key)) problems.push(`"${key}" is not an English message`);
  for (const [key, text] of english) {
    const mine = own.get(key);
    if (mine === undefined) {
      problems.push(`"${key}" is missing`);
      continue;
    }
    if (typeof text === "string" && typeof mine !== "string") {
      problems.push(`"${key}" has plural forms, but English gives it one text and no count`);
      continue;
    }
    if (typeof mine !== "string" && sorted(Object.keys(mine)) !== sorted(pluralCategoriesOf(lang))) {
      problems.push(
        `"${key}" has the forms ${sorted(Object.keys(mine))}; ${lang} needs ${sorted(pluralCategoriesOf(lang))}`,
      );
    }
    const wanted = placeholdersOf(typeof text === "string" ? text : (text.other ?? "")).join(", ");
    const texts = typeof mine === "string" ? { "": mine } : mine;
    for (const [category, form] of Object.entries(texts)) {
      const found = placeholdersOf(form).join(", ");
      const where = category === "" ? `"${key}"` : `"${key}.${category}"`;
      if (found !== wanted) problems.push(`${where} has the placeholders {${found}}, English {${wanted}}`);
    }
  }
  return problems;
}
