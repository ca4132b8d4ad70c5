/**
 * The apps an invite page offers, from a data file (data/apps.json, replaceable by the admin): which
 * platforms each runs on, where to get it, and whether it opens an `xmpp:` invite URI (XEP-0401) itself.
 *
 * The links carry the invite where a store can: Google Play passes `referrer` on to the app after install,
 * and Conversations opens the invite from it. F-Droid and the App Store pass nothing on, so their links say
 * "come back and tap *open the invite*" (`comeBack`).
 */
import { PLATFORMS, type Platform } from "./platform.js";

export const LINK_KINDS = ["play", "fdroid", "appstore", "website", "web"] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export interface AppLink {
  kind: LinkKind;
  url: string;
}

export interface App {
  id: string;
  name: string;
  platforms: Platform[];
  /** Opens `xmpp:…?register;preauth=…` (and `?roster;preauth=…`) links itself. */
  opensInvites: boolean;
  links: AppLink[];
}

/** A link as the page shows it for one invite. */
export interface InviteAppLink extends AppLink {
  /** After installing, the visitor must come back to the page and open the invite (the store passes nothing on). */
  comeBack: boolean;
}

/** A mistake in the catalog, naming where it is (e.g. `apps[2].links[0].url`). */
export class AppCatalogError extends Error {
  constructor(where: string, problem: string) {
    super(`app catalog: ${where} ${problem}`);
    this.name = "AppCatalogError";
  }
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: Json, where: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new AppCatalogError(where, "must be a non-empty string");
  return value;
}

function httpsUrl(value: Json, where: string): string {
  const url = text(value, where);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppCatalogError(where, `is not a URL: ${url}`);
  }
  if (parsed.protocol !== "https:") throw new AppCatalogError(where, `must be an https URL: ${url}`);
  return url;
}

function link(value: Json, where: string): AppLink {
  if (!isObject(value)) throw new AppCatalogError(where, "must be an object with kind and url");
  const kind = value.kind;
  if (typeof kind !== "string" || !(LINK_KINDS as readonly string[]).includes(kind)) {
    throw new AppCatalogError(`${where}.kind`, `must be one of ${LINK_KINDS.join(", ")}`);
  }
  return { kind: kind as LinkKind, url: httpsUrl(value.url, `${where}.url`) };
}

function app(value: Json, where: string): App {
  if (!isObject(value)) throw new AppCatalogError(where, "must be an object");
  const id = text(value.id, `${where}.id`);
  if (!/^[a-z0-9-]+$/u.test(id)) throw new AppCatalogError(`${where}.id`, "may hold only a-z, 0-9 and -");
  const platforms = value.platforms;
  if (!Array.isArray(platforms) || platforms.length === 0) {
    throw new AppCatalogError(`${where}.platforms`, "must be a non-empty list");
  }
  for (const [i, platform] of platforms.entries()) {
    if (typeof platform !== "string" || !(PLATFORMS as readonly string[]).includes(platform)) {
      throw new AppCatalogError(`${where}.platforms[${i}]`, `must be one of ${PLATFORMS.join(", ")}`);
    }
  }
  if (typeof value.opensInvites !== "boolean")
    throw new AppCatalogError(`${where}.opensInvites`, "must be true or false");
  const links = value.links;
  if (!Array.isArray(links) || links.length === 0)
    throw new AppCatalogError(`${where}.links`, "must be a non-empty list");
  return {
    id,
    name: text(value.name, `${where}.name`),
    platforms: platforms as Platform[],
    opensInvites: value.opensInvites,
    links: links.map((entry, i) => link(entry, `${where}.links[${i}]`)),
  };
}

/** The catalog in a parsed data file; throws AppCatalogError saying where it is wrong. */
export function parseAppCatalog(data: Json): App[] {
  if (!isObject(data) || !Array.isArray(data.apps))
    throw new AppCatalogError("the file", 'must be { "apps": [ ... ] }');
  const apps = data.apps.map((entry, i) => app(entry, `apps[${i}]`));
  const seen = new Set<string>();
  for (const [i, entry] of apps.entries()) {
    if (seen.has(entry.id)) throw new AppCatalogError(`apps[${i}].id`, `"${entry.id}" is used twice`);
    seen.add(entry.id);
  }
  return apps;
}

/** The apps in the order a visitor on `platform` sees them: theirs first, web clients next, then the rest. */
export function appsFor(apps: readonly App[], platform: Platform | undefined): App[] {
  const rank = (entry: App): number => {
    if (platform !== undefined && entry.platforms.includes(platform)) return 0;
    if (entry.platforms.includes("web")) return 1;
    return 2;
  };
  // Array.prototype.sort is stable: within a rank, the catalog's own order stays.
  return [...apps].sort((a, b) => rank(a) - rank(b));
}

/** An app's links for one invite: Google Play's with the invite URI as `referrer`. */
export function inviteLinks(entry: App, inviteUri: string): InviteAppLink[] {
  return entry.links.map((appLink) => {
    if (appLink.kind === "play") {
      const url = new URL(appLink.url);
      // URLSearchParams percent-encodes the whole URI, `;` and `=` included, so the store hands it back unchanged.
      url.searchParams.set("referrer", inviteUri);
      return { ...appLink, url: url.toString(), comeBack: false };
    }
    return { ...appLink, comeBack: entry.opensInvites && (appLink.kind === "fdroid" || appLink.kind === "appstore") };
  });
}
