import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  messagesOf,
  negotiateLanguage,
  parseCatalog,
  placeholdersOf,
  pluralCategoriesOf,
  translate,
} from "../../../src/web/i18n.js";
import { catalogProblems } from "../../helpers/catalog-check.js";

const DIR = new URL("../../../data/locales/", import.meta.url);
const catalogs = Object.fromEntries(
  readdirSync(DIR)
    .filter((name) => name.endsWith(".json"))
    .map((name) => [name.slice(0, -5), parseCatalog(JSON.parse(readFileSync(new URL(name, DIR), "utf8")), name)]),
);
const SHIPPED = ["de", "en", "es", "fr", "it", "nl", "pl", "pt", "ru", "sv", "uk"];

describe("the message catalogs", () => {
  it("are at least English, German, French, Spanish, Italian, Dutch, Portuguese, Polish, Russian, Swedish and Ukrainian", () => {
    expect(Object.keys(catalogs)).toEqual(expect.arrayContaining(SHIPPED));
  });

  it("each name their language in itself, for the language switch", () => {
    expect(catalogs.pt?.["language.name"]).toBe("Português");
    expect(catalogs.uk?.["language.name"]).toBe("Українська");
    const names = Object.values(catalogs).map((catalog) => catalog["language.name"]);
    expect(new Set(names).size).toBe(names.length);
  });

  // Every file in the directory, not a list: a new language is checked the day its file appears.
  for (const [language, catalog] of Object.entries(catalogs)) {
    it(`${language}.json: every message of en.json and no other, its plural forms, the same placeholders`, () => {
      expect(catalogProblems(catalogs.en ?? {}, catalog, language)).toEqual([]);
    });
  }
});

describe("the plural families of the shipped catalogs", () => {
  // Counts that land in every CLDR category of the shipped languages: 0 and 1.5 (French "one", Polish "other"),
  // 2–4 and 22 (few), 5, 11 and 21 (Russian "one" at 21, "many" at 11), a million (French "many").
  const COUNTS = [0, 1, 1.5, 2, 3, 5, 11, 21, 22, 100, 1_000_000];
  const english = messagesOf(catalogs.en ?? {});
  const families = [...english].filter(([, text]) => typeof text !== "string").map(([key]) => key);

  it("exist: the messages that hold a count", () => {
    expect(families).toEqual(
      expect.arrayContaining(["page.too_many.wait", "console.invite.uses_left", "console.tree.revoked"]),
    );
  });

  for (const [language, catalog] of Object.entries(catalogs)) {
    it(`${language}.json gives each a whole text for every count`, () => {
      for (const key of families) {
        const forms = english.get(key);
        const names = placeholdersOf(typeof forms === "object" ? (forms.other ?? "") : "");
        const values = Object.fromEntries(names.map((name) => [name, "7"]));
        for (const count of COUNTS) {
          const text = translate(catalog, key, values, { lang: language, count });
          expect(text).not.toMatch(/\{\w+\}/u);
        }
      }
    });
  }

  it("say 1, 2 and 5 as each language says them", () => {
    const wait = (lang: string, count: number) =>
      translate(catalogs[lang] ?? {}, "page.too_many.wait", { minutes: String(count) }, { lang, count });
    expect([1, 2].map((count) => wait("en", count))).toEqual([
      "Please wait 1 minute, then try again.",
      "Please wait 2 minutes, then try again.",
    ]);
    expect([1, 2, 5, 21].map((count) => wait("ru", count))).toEqual([
      "Подождите 1 минуту и попробуйте ещё раз.",
      "Подождите 2 минуты и попробуйте ещё раз.",
      "Подождите 5 минут и попробуйте ещё раз.",
      "Подождите 21 минуту и попробуйте ещё раз.",
    ]);
    expect(wait("fr", 0)).toBe("Patientez 0 minute, puis réessayez.");
    expect(wait("pl", 22)).toBe("Odczekaj 22 minuty i spróbuj ponownie.");
  });
});

describe("the completeness rule", () => {
  const english = {
    "a.plain": "Hello {name}",
    "wait.one": "Wait {minutes} minute",
    "wait.other": "Wait {minutes} minutes",
  };

  it("takes a message with counts in all the forms of the language's CLDR rules, or in one plain text", () => {
    const polish = {
      "a.plain": "Cześć {name}",
      "wait.one": "Odczekaj {minutes} minutę",
      "wait.few": "Odczekaj {minutes} minuty",
      "wait.many": "Odczekaj {minutes} minut",
      "wait.other": "Odczekaj {minutes} minuty",
    };
    expect(catalogProblems(english, polish, "pl")).toEqual([]);
    expect(catalogProblems(english, { "a.plain": "Cześć {name}", wait: "Odczekaj {minutes} min" }, "pl")).toEqual([]);
  });

  it("names a missing form, a missing or foreign message, a plural where English has none, a lost placeholder", () => {
    const russian = {
      "a.plain.one": "Привет, {name}",
      "a.plain.other": "Привет, {name}",
      "wait.one": "Подождите {minutes} минуту",
      "wait.many": "Подождите {minutes} минут",
      "wait.other": "Подождите минуты",
      extra: "x",
    };
    expect(catalogProblems(english, russian, "ru")).toEqual([
      '"extra" is not an English message',
      '"a.plain" has plural forms, but English gives it one text and no count',
      '"wait" has the forms many, one, other; ru needs few, many, one, other',
      '"wait.other" has the placeholders {}, English {minutes}',
    ]);
    expect(catalogProblems(english, { wait: "{minutes}" }, "uk")).toEqual(['"a.plain" is missing']);
  });
});

describe("messagesOf", () => {
  it("groups the forms beside a KEY.other under KEY, and leaves other keys whole", () => {
    const messages = messagesOf({ "x.one": "1", "x.other": "n", "y.one": "lonely", "z.many": "m", "apps.all": "All" });
    expect(Object.fromEntries(messages)).toEqual({
      x: { one: "1", other: "n" },
      "y.one": "lonely",
      "z.many": "m",
      "apps.all": "All",
    });
  });
});

describe("negotiateLanguage", () => {
  const available = ["en", "de", "fr"];

  it("takes the visitor's best-weighted language that we have, by its primary subtag", () => {
    expect(negotiateLanguage("de-CH,de;q=0.9,en;q=0.8", available)).toBe("de");
    expect(negotiateLanguage("it, fr;q=0.5, en;q=0.4", available)).toBe("fr");
    expect(negotiateLanguage("en;q=0.2, fr;q=0.9", available)).toBe("fr");
    expect(negotiateLanguage("FR-ca", available)).toBe("fr");
  });

  it("picks each shipped language from a browser's usual header", () => {
    const shipped = Object.keys(catalogs);
    expect(negotiateLanguage("pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7", shipped)).toBe("pt");
    expect(negotiateLanguage("pt-PT", shipped)).toBe("pt");
    expect(negotiateLanguage("uk", shipped)).toBe("uk");
    expect(negotiateLanguage("uk-UA,uk;q=0.9,ru;q=0.8", shipped)).toBe("uk");
    expect(negotiateLanguage("sv-SE", shipped)).toBe("sv");
    expect(negotiateLanguage("es-419,es;q=0.9", shipped)).toBe("es");
    expect(negotiateLanguage("nl-BE", shipped)).toBe("nl");
    expect(negotiateLanguage("it-CH, fr;q=0.8", shipped)).toBe("it");
    expect(negotiateLanguage("pl-PL", shipped)).toBe("pl");
    expect(negotiateLanguage("ru-RU,ru;q=0.9", shipped)).toBe("ru");
    expect(negotiateLanguage("zh-Hant, ja;q=0.9, pl;q=0.5", shipped)).toBe("pl");
  });

  it("falls back to English for nothing, nothing we have, '*' and refused (q=0) languages", () => {
    expect(negotiateLanguage(undefined, available)).toBe("en");
    expect(negotiateLanguage("", available)).toBe("en");
    expect(negotiateLanguage("ja, zh;q=0.8", available)).toBe("en");
    expect(negotiateLanguage("*", available)).toBe("en");
    expect(negotiateLanguage("de;q=0, ja", available)).toBe("en");
    expect(negotiateLanguage("de;q=oops", available)).toBe("en");
  });
});

describe("translate", () => {
  const catalog = { greet: "Hello {name}, welcome to {site}", plain: "Hi" };

  it("fills in every placeholder", () => {
    expect(translate(catalog, "greet", { name: "<b>Ann</b>", site: "x" })).toBe("Hello <b>Ann</b>, welcome to x");
    expect(translate(catalog, "plain")).toBe("Hi");
  });

  it("throws for a missing key or value: a bug, not a page with a hole in it", () => {
    expect(() => translate(catalog, "nope")).toThrow(/no message "nope"/u);
    expect(() => translate(catalog, "greet", { name: "Ann" })).toThrow(/needs a value for \{site\}/u);
  });
});

describe("translate with a count", () => {
  const polish = {
    "wait.one": "Odczekaj {minutes} minutę",
    "wait.few": "Odczekaj {minutes} minuty",
    "wait.many": "Odczekaj {minutes} minut",
    "wait.other": "Odczekaj {minutes} minuty",
    short: "Odczekaj {minutes} min",
  };
  const wait = (count: number, lang = "pl", catalog: Record<string, string> = polish) =>
    translate(catalog, "wait", { minutes: String(count) }, { lang, count });

  it("picks the form of the language's CLDR rules: Polish 1, 2–4, 5–21, 22–24, 1.5", () => {
    expect(wait(1)).toBe("Odczekaj 1 minutę");
    expect(wait(3)).toBe("Odczekaj 3 minuty");
    expect(wait(5)).toBe("Odczekaj 5 minut");
    expect(wait(12)).toBe("Odczekaj 12 minut");
    expect(wait(22)).toBe("Odczekaj 22 minuty");
    expect(wait(1.5)).toBe("Odczekaj 1.5 minuty");
  });

  it("follows Russian and Ukrainian, where 21 takes the singular and 11 does not", () => {
    const forms = (one: string, few: string, many: string) => ({
      "n.one": `{n} ${one}`,
      "n.few": `{n} ${few}`,
      "n.many": `{n} ${many}`,
      "n.other": `{n} ${few}`,
    });
    const ru = forms("минута", "минуты", "минут");
    const uk = forms("хвилина", "хвилини", "хвилин");
    const say = (catalog: Record<string, string>, lang: string, count: number) =>
      translate(catalog, "n", { n: String(count) }, { lang, count });
    expect([1, 21, 11, 3, 5].map((count) => say(ru, "ru", count))).toEqual([
      "1 минута",
      "21 минута",
      "11 минут",
      "3 минуты",
      "5 минут",
    ]);
    expect([1, 21, 11, 24, 0].map((count) => say(uk, "uk", count))).toEqual([
      "1 хвилина",
      "21 хвилина",
      "11 хвилин",
      "24 хвилини",
      "0 хвилин",
    ]);
    expect(pluralCategoriesOf("uk")).toEqual(["one", "few", "many", "other"]);
    expect(pluralCategoriesOf("en")).toEqual(["one", "other"]);
  });

  it("takes a plain text phrased for every number when the catalog has no forms", () => {
    expect(translate(polish, "short", { minutes: "4" }, { lang: "pl", count: 4 })).toBe("Odczekaj 4 min");
  });

  it("throws for a message with forms asked without a count, or a form the catalog lacks", () => {
    expect(() => translate(polish, "wait", { minutes: "2" })).toThrow(/no message "wait" without a count/u);
    const { "wait.many": _, ...noMany } = polish;
    expect(() => wait(5, "pl", noMany)).toThrow(/no message "wait" for 5 in pl/u);
  });
});
