/**
 * The web's edge of the error catalogue: every code renders in every language, on its own page or on the form; and
 * every error status the web sends comes from the catalogue (Fastify's own errors keep Fastify's).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE, type ErrorCode } from "../../../src/errors.js";
import { errorMessage, formRefusal } from "../../../src/web/error-pages.js";
import { pageContext } from "../../../src/web/page-context.js";
import { messagePage } from "../../../src/web/pages/message-page.js";
import { loadWebData } from "../../../src/web/web-data.js";
import { exampleSite } from "../../helpers/web-fakes.js";

const data = loadWebData();
const site = exampleSite(data.apps);
const contexts = Object.entries(data.catalogs).map(([lang, catalog]) =>
  pageContext(site, catalog, lang, undefined, "/"),
);
const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const onPages = codes.filter((code) => "message" in ERROR_CATALOGUE[code].http.page);
const onForm = codes.filter((code) => !("message" in ERROR_CATALOGUE[code].http.page));
const en = contexts.find((ctx) => ctx.lang === "en");
if (en === undefined) throw new Error("no English catalog");

describe("codes shown on a page of their own", () => {
  it.each(onPages)("%s: its status, and its message page in every language", (code) => {
    const { status, message } = errorMessage(code, 90);
    expect(status).toBe(ERROR_CATALOGUE[code].http.status);
    if (message.kind === "too-many") expect(message.retryAfterSeconds).toBe(90);
    if (message.kind === "error") expect(message.status).toBe(status);
    for (const ctx of contexts) expect(messagePage(ctx, message)).toContain(`class="message ${message.kind}"`);
    expect(() => formRefusal(en, code)).toThrow(/page of its own/u);
  });
});

describe("codes shown on the registration form", () => {
  it.each(onForm)("%s: its status, and its message at its field in every language", (code) => {
    const problems = { username: "error.username_missing", password: "error.password_missing" };
    for (const ctx of contexts) {
      const { status, errors } = formRefusal(ctx, code, { username: "carol" }, problems);
      expect(status).toBe(ERROR_CATALOGUE[code].http.status);
      expect(Object.values(errors).every((text) => text.length > 3)).toBe(true);
      expect(Object.keys(errors).length).toBeGreaterThan(0);
    }
    expect(() => errorMessage(code)).toThrow(/registration form/u);
  });

  it("say the server's reason when it gave one, and fill in the invite's username", () => {
    expect(formRefusal(en, "password-refused").errors).toEqual({ password: en.t("error.password_refused") });
    expect(formRefusal(en, "password-refused", { reason: "Too short" }).errors).toEqual({
      password: "The server did not accept this password: Too short",
    });
    expect(formRefusal(en, "wrong-username", { username: "carol" }).errors).toEqual({
      username: "This invite is for the username carol only.",
    });
    expect(formRefusal(en, "throttled").errors).toEqual({ form: "Please wait 10 minutes, then try again." });
  });

  it("show each field's own problem for a form with mistakes", () => {
    expect(formRefusal(en, "form-invalid", {}, { password: "error.password_mismatch" })).toEqual({
      status: 400,
      errors: { password: "The two passwords are not the same." },
    });
  });
});

describe("the statuses the web sends", () => {
  const WEB = fileURLToPath(new URL("../../../src/web", import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
    );
  const COMPARISONS = new Set([
    ts.SyntaxKind.GreaterThanToken,
    ts.SyntaxKind.GreaterThanEqualsToken,
    ts.SyntaxKind.LessThanToken,
    ts.SyntaxKind.LessThanEqualsToken,
  ]);

  /** Numbers 400–599 in the code (not in comments or strings), unless they are compared with. */
  function statusLiterals(file: string): string[] {
    const scanner = ts.createScanner(
      ts.ScriptTarget.Latest,
      true,
      ts.LanguageVariant.Standard,
      readFileSync(file, "utf8"),
    );
    const found: string[] = [];
    let previous = ts.SyntaxKind.Unknown;
    for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
      // The scanner reads ">=" as ">" unless asked again (the parser does the same).
      if (token === ts.SyntaxKind.GreaterThanToken) token = scanner.reScanGreaterToken();
      if (token === ts.SyntaxKind.NumericLiteral && !COMPARISONS.has(previous)) {
        const value = Number(scanner.getTokenValue());
        if (value >= 400 && value < 600) found.push(`${file.slice(WEB.length + 1)}: ${scanner.getTokenText()}`);
      }
      previous = token;
    }
    return found;
  }

  it("come from the catalogue: no error status is written down in src/web/", () => {
    expect(files(WEB).flatMap(statusLiterals)).toEqual([]);
  });
});
