/**
 * The web pages' data files, read once at start: the message catalogs (data/locales/*.json), the app catalog
 * (data/apps.json, or the admin's own file: WEB_APPS_FILE) the stylesheet and the icon (data/web/).
 */
import { readdirSync, readFileSync } from "node:fs";
import { type App, parseAppCatalog } from "./apps.js";
import { type Catalog, FALLBACK_LANGUAGE, parseCatalog } from "./i18n.js";

/** data/ beside src/ and dist/: the same relative place from src/web/ and dist/web/. */
export const DATA_DIR = new URL("../../data/", import.meta.url);

export interface WebData {
  readonly catalogs: Readonly<Record<string, Catalog>>;
  readonly apps: readonly App[];
  readonly stylesheet: string;
  /** The pages' icon (SVG). */
  readonly icon: string;
}

/** The app catalog in a file; the error names the file (and the setting it came from) and what is wrong. */
function readApps(path: string | URL, setting = ""): ReturnType<typeof parseAppCatalog> {
  const where = `${setting}${path instanceof URL ? path.pathname : path}`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read the app catalog ${where}: ${(error as Error).message}`);
  }
  try {
    return parseAppCatalog(JSON.parse(text));
  } catch (error) {
    throw new Error(`the app catalog ${where} is not usable: ${(error as Error).message}`);
  }
}

export function loadWebData(appsFile?: string): WebData {
  const localesDir = new URL("locales/", DATA_DIR);
  const catalogs: Record<string, Catalog> = {};
  for (const name of readdirSync(localesDir)
    .filter((file) => file.endsWith(".json"))
    .sort()) {
    catalogs[name.slice(0, -5)] = parseCatalog(JSON.parse(readFileSync(new URL(name, localesDir), "utf8")), name);
  }
  if (catalogs[FALLBACK_LANGUAGE] === undefined) throw new Error(`data/locales/${FALLBACK_LANGUAGE}.json is missing`);
  const apps = appsFile === undefined ? readApps(new URL("apps.json", DATA_DIR)) : readApps(appsFile, "WEB_APPS_FILE ");
  const stylesheet = readFileSync(new URL("web/style.css", DATA_DIR), "utf8");
  const icon = readFileSync(new URL("web/icon.svg", DATA_DIR), "utf8");
  return { catalogs, apps, stylesheet, icon };
}
