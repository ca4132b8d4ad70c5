import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { negotiateLanguage, parseCatalog, placeholdersOf, translate } from "../../../src/web/i18n.js";

const DIR = new URL("../../../data/locales/", import.meta.url);
const catalogs = Object.fromEntries(
  readdirSync(DIR)
    .filter((name) => name.endsWith(".json"))
    .map((name) => [name.slice(0, -5), parseCatalog(JSON.parse(readFileSync(new URL(name, DIR), "utf8")), name)]),
);

describe("the message catalogs", () => {
  it("include English, German and French", () => {
    expect(Object.keys(catalogs).sort()).toEqual(expect.arrayContaining(["de", "en", "fr"]));
  });

  it("each have every key of the English one and no other, with the same placeholders", () => {
    const reference = catalogs.en ?? {};
    for (const [language, catalog] of Object.entries(catalogs)) {
      expect(Object.keys(catalog).sort(), `${language}.json keys`).toEqual(Object.keys(reference).sort());
      for (const [key, text] of Object.entries(reference)) {
        expect(placeholdersOf(catalog[key] ?? ""), `${language}.json "${key}"`).toEqual(placeholdersOf(text));
      }
    }
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
