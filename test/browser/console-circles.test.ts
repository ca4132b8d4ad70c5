/**
 * The console's circles in a real browser (Debian's Chromium) with the real bot (docs/console.md, "Circles"), on a
 * phone in English and in a desktop window in German: an admin opens the circles' page, creates a circle, adds a
 * member, sees the circle offered on the first page's account invite, and deletes the circle after confirming. Only
 * what a person sees is checked, by roles and labels; nothing scrolls sideways. Runs on whichever Prosody is on PATH.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBot } from "../helpers/bot.js";
import { launchBrowser, openPage } from "../helpers/browser.js";
import { type BrowserWindow, DESKTOP, PHONE } from "../helpers/browser-windows.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { startWebBot } from "../helpers/web-bot.js";

const ADMIN = "admin@localhost";

/** What the pages say, as data/locales/en.json and de.json word it. */
const TEXTS = {
  en: {
    locale: "en-US",
    logIn: `Log in as ${ADMIN}`,
    title: "Circles",
    none: "There are no circles yet.",
    name: "Name",
    create: "Create the circle",
    created: (name: string) => `Created the circle ${name}.`,
    addMember: "Add a member",
    add: "Add",
    added: (jid: string, name: string) => `Added ${jid} to ${name}.`,
    back: "Back to the console",
    joins: "Circles the new user joins (optional)",
    remove: "Delete this circle",
    confirm: "Yes, delete it",
    deleted: (name: string) => `Deleted the circle ${name}.`,
  },
  de: {
    locale: "de-DE",
    logIn: `Als ${ADMIN} anmelden`,
    title: "Kreise",
    none: "Es gibt noch keine Kreise.",
    name: "Name",
    create: "Kreis erstellen",
    created: (name: string) => `Der Kreis ${name} wurde erstellt.`,
    addMember: "Mitglied hinzufügen",
    add: "Hinzufügen",
    added: (jid: string, name: string) => `${jid} wurde zu ${name} hinzugefügt.`,
    back: "Zurück zur Konsole",
    joins: "Kreise, denen das neue Konto beitritt (optional)",
    remove: "Diesen Kreis löschen",
    confirm: "Ja, löschen",
    deleted: (name: string) => `Der Kreis ${name} wurde gelöscht.`,
  },
} as const;

const RUNS: readonly { window: BrowserWindow; lang: keyof typeof TEXTS; circle: string }[] = [
  { window: PHONE, lang: "en", circle: "Garden" },
  { window: DESKTOP, lang: "de", circle: "Schachclub" },
];

let world: Scenario;
let bot: TestBot;
let browser: Browser;
let webUrl: string;

beforeAll(async () => {
  browser = await launchBrowser();
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot((web) => world.startBot("bot", { ...web, REGISTRATION: "auto" }), "server"));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

async function loginLink(): Promise<string> {
  const admin = await world.login(ADMIN);
  const reply = (await admin.ask(bot.jid, "login")).getChildText("body") ?? "";
  const link = new RegExp(`${webUrl}/console/login/[A-Za-z0-9_-]{24}`, "u").exec(reply)?.[0];
  if (link === undefined) throw new Error(`no login link in: ${reply}`);
  return link;
}

async function shown(locator: Locator): Promise<string> {
  await locator.waitFor({ state: "visible" });
  return (await locator.textContent()) ?? "";
}

async function fitsTheWindow(page: Page): Promise<void> {
  const widths = await page.evaluate<{ page: number; window: number }>(
    "({ page: document.documentElement.scrollWidth, window: window.innerWidth })",
  );
  expect(widths.page).toBeLessThanOrEqual(widths.window);
}

describe("in a browser, the console's circles", () => {
  for (const { window, lang, circle } of RUNS) {
    it(`on a ${window.name} in ${lang}: creates a circle, adds a member, offers it, and deletes it`, async () => {
      const texts = TEXTS[lang];
      const watched = await openPage(browser, { ...window, locale: texts.locale });
      const { page } = watched;
      await page.goto(await loginLink());
      await page.getByRole("button", { name: texts.logIn }).click();
      await page.getByRole("button", { name: /./u }).first().waitFor({ state: "visible" });

      await page.goto(`${webUrl}/console/circles`);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(texts.title);
      await expect(shown(page.getByText(texts.none))).resolves.toBe(texts.none);
      await fitsTheWindow(page);

      await page.getByLabel(texts.name, { exact: true }).fill(circle);
      await page.getByRole("button", { name: texts.create }).click();
      await expect(shown(page.getByRole("status"))).resolves.toBe(texts.created(circle));
      const item = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: new RegExp(circle) }) });
      await item.getByLabel(texts.addMember).fill("alice@localhost");
      await item.getByRole("button", { name: texts.add, exact: true }).click();
      await expect(shown(page.getByRole("status"))).resolves.toBe(texts.added("alice@localhost", circle));
      await expect(item.getByText("alice@localhost", { exact: true }).isVisible()).resolves.toBe(true);
      await fitsTheWindow(page);

      await page.getByRole("link", { name: texts.back }).click();
      const box = page.getByRole("group", { name: texts.joins }).getByRole("checkbox", { name: circle });
      await expect(box.isVisible()).resolves.toBe(true);
      await fitsTheWindow(page);

      await page.goto(`${webUrl}/console/circles`);
      await item.getByRole("button", { name: texts.remove }).click();
      await page.getByRole("button", { name: texts.confirm }).click();
      await expect(shown(page.getByRole("status"))).resolves.toBe(texts.deleted(circle));
      await expect(shown(page.getByText(texts.none))).resolves.toBe(texts.none);
      await fitsTheWindow(page);

      expect(watched.requests.filter((url) => !url.startsWith(webUrl))).toEqual([]);
      expect(watched.problems).toEqual([]);
      await page.context().close();
    });
  }
});
