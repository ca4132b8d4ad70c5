import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type App, AppCatalogError, appsFor, inviteLinks, parseAppCatalog } from "../../../src/web/apps.js";

const SHIPPED = JSON.parse(readFileSync(new URL("../../../data/apps.json", import.meta.url), "utf8")) as unknown;
const INVITE = "xmpp:alice@example.org?roster;preauth=Tok-en_123;ibr=y";

function catalogWith(overrides: Record<string, unknown>): unknown {
  const base = {
    id: "x",
    name: "X",
    platforms: ["linux"],
    opensInvites: false,
    links: [{ kind: "website", url: "https://x.example/" }],
  };
  return { apps: [{ ...base, ...overrides }] };
}

describe("the shipped app catalog", () => {
  const apps = parseAppCatalog(SHIPPED);

  it("is valid and has the apps the invite pages promise, a web client among them", () => {
    const ids = apps.map((entry) => entry.id);
    for (const id of ["conversations", "cheogram", "monal", "siskin", "gajim", "dino"]) expect(ids).toContain(id);
    expect(apps.some((entry) => entry.platforms.includes("web"))).toBe(true);
    for (const platform of ["android", "ios", "macos", "windows", "linux"] as const) {
      expect(apps.some((entry) => entry.platforms.includes(platform))).toBe(true);
    }
  });

  it("links only to https addresses", () => {
    for (const entry of apps) for (const link of entry.links) expect(link.url).toMatch(/^https:\/\//u);
  });
});

describe("parseAppCatalog", () => {
  it("says where a catalog is wrong", () => {
    const wrong: [unknown, RegExp][] = [
      [{}, /the file must be/u],
      [catalogWith({ platforms: ["amiga"] }), /apps\[0\]\.platforms\[0\] must be one of/u],
      [
        catalogWith({ links: [{ kind: "play", url: "http://play.example/" }] }),
        /apps\[0\]\.links\[0\]\.url must be an https URL/u,
      ],
      [
        catalogWith({ links: [{ kind: "ftp", url: "https://x.example/" }] }),
        /apps\[0\]\.links\[0\]\.kind must be one of/u,
      ],
      [catalogWith({ id: "Has Space" }), /apps\[0\]\.id may hold only/u],
      [catalogWith({ opensInvites: "yes" }), /opensInvites must be true or false/u],
      [catalogWith({ links: [] }), /apps\[0\]\.links must be a non-empty list/u],
    ];
    for (const [data, message] of wrong) {
      expect(() => parseAppCatalog(data)).toThrow(AppCatalogError);
      expect(() => parseAppCatalog(data)).toThrow(message);
    }
    const twice = catalogWith({}) as { apps: unknown[] };
    expect(() => parseAppCatalog({ apps: [...twice.apps, ...twice.apps] })).toThrow(/apps\[1\]\.id "x" is used twice/u);
  });
});

describe("appsFor", () => {
  const app = (id: string, platforms: App["platforms"]): App => ({
    id,
    name: id,
    platforms,
    opensInvites: false,
    links: [{ kind: "website", url: `https://${id}.example/` }],
  });
  const apps = [
    app("desk", ["linux"]),
    app("phone", ["android"]),
    app("browser", ["web"]),
    app("mac", ["macos", "ios"]),
  ];

  it("puts the visitor's platform first, web clients next, and keeps every app", () => {
    expect(appsFor(apps, "android").map((a) => a.id)).toEqual(["phone", "browser", "desk", "mac"]);
    expect(appsFor(apps, "ios").map((a) => a.id)).toEqual(["mac", "browser", "desk", "phone"]);
    expect(appsFor(apps, undefined).map((a) => a.id)).toEqual(["browser", "desk", "phone", "mac"]);
  });
});

describe("inviteLinks", () => {
  const apps = parseAppCatalog(SHIPPED);
  const byId = (id: string): App => {
    const found = apps.find((entry) => entry.id === id);
    if (found === undefined) throw new Error(`no ${id} in the catalog`);
    return found;
  };

  it("gives Google Play the invite as referrer, every ';' and '=' kept through the round trip", () => {
    const [play] = inviteLinks(byId("conversations"), INVITE);
    expect(play?.kind).toBe("play");
    const url = new URL(play?.url ?? "");
    expect(url.searchParams.get("id")).toBe("eu.siacs.conversations");
    expect(url.searchParams.get("referrer")).toBe(INVITE);
    expect(url.search).not.toContain(";"); // encoded, not a parameter separator for anyone
    expect(play?.comeBack).toBe(false);
  });

  it("asks to come back after F-Droid and the App Store, which pass nothing on", () => {
    const fdroid = inviteLinks(byId("conversations"), INVITE).find((link) => link.kind === "fdroid");
    expect(fdroid).toMatchObject({ url: "https://f-droid.org/packages/eu.siacs.conversations/", comeBack: true });
    expect(inviteLinks(byId("monal"), INVITE)[0]).toMatchObject({ kind: "appstore", comeBack: true });
    // An app that cannot open invites is set up by hand after web registration: nothing to come back for.
    expect(inviteLinks(byId("gajim"), INVITE)[0]).toMatchObject({ kind: "website", comeBack: false });
  });
});

describe("loadWebData with the admin's own catalog (WEB_APPS_FILE)", () => {
  it("says which file cannot be read or is wrong, and where", async () => {
    const { loadWebData } = await import("../../../src/web/web-data.js");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    expect(() => loadWebData("/nonexistent/apps.json")).toThrow(
      /^cannot read the app catalog WEB_APPS_FILE \/nonexistent\/apps\.json: ENOENT/u,
    );
    const bad = join(mkdtempSync(join(tmpdir(), "apps-")), "apps.json");
    writeFileSync(bad, JSON.stringify({ apps: [{ id: "x" }] }));
    expect(() => loadWebData(bad)).toThrow(
      /the app catalog WEB_APPS_FILE .* is not usable: app catalog: apps\[0\]\.platforms must be a non-empty list/u,
    );
  });
});
