/**
 * The web console in a real browser (Debian's Chromium) with the real bot (docs/console.md), on a phone and in a
 * desktop window, in English and in German (the browser's locale sends Accept-Language, RFC 9110 §12.5.4): the
 * user asks the bot `login` over chat, opens the link, presses the button, creates a contact invite, sees its link
 * and QR codes, revokes it and logs out. Only what a person sees is checked, by roles and labels. Nothing here is
 * Prosody-side; it runs on whichever Prosody is on PATH (0.12 and 13).
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestBot } from "../helpers/bot.js";
import { launchBrowser, openPage } from "../helpers/browser.js";
import { type BrowserWindow, DESKTOP, PHONE } from "../helpers/browser-windows.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { startWebBot } from "../helpers/web-bot.js";

/** What the console says, as data/locales/en.json and de.json word it. */
const TEXTS = {
  en: {
    locale: "en-US",
    loginTitle: "Log in to the web console",
    logIn: (jid: string) => `Log in as ${jid}`,
    loggedIn: (jid: string) => `Logged in as ${jid}`,
    createContact: "Create a contact invite",
    created: "Your new invite",
    qrPage: "Continue on your phone: scan this code.",
    qrUri: "Scan this code with your XMPP app.",
    pending: "Pending invites",
    contactInvite: "Contact invite",
    revoke: "Revoke",
    none: "There are no pending invites.",
    logOut: "Log out",
    address: "Your address",
  },
  de: {
    locale: "de-DE",
    loginTitle: "Bei der Web-Konsole anmelden",
    logIn: (jid: string) => `Als ${jid} anmelden`,
    loggedIn: (jid: string) => `Angemeldet als ${jid}`,
    createContact: "Kontakteinladung erstellen",
    created: "Deine neue Einladung",
    qrPage: "Auf dem Handy weitermachen: Scanne diesen Code.",
    qrUri: "Scanne diesen Code mit deiner XMPP-App.",
    pending: "Offene Einladungen",
    contactInvite: "Kontakteinladung",
    revoke: "Widerrufen",
    none: "Es gibt keine offenen Einladungen.",
    logOut: "Abmelden",
    address: "Deine Adresse",
  },
} as const;
type Language = keyof typeof TEXTS;

/** One account per run, so that each run starts with no invites of its own. */
const RUNS: readonly { window: BrowserWindow; lang: Language; user: string }[] = [
  { window: PHONE, lang: "en", user: "alice@localhost" },
  { window: PHONE, lang: "de", user: "bob@localhost" },
  { window: DESKTOP, lang: "en", user: "carol@localhost" },
  { window: DESKTOP, lang: "de", user: "dave@localhost" },
];

let world: Scenario;
let bot: TestBot;
let browser: Browser;
let webUrl: string;

beforeAll(async () => {
  browser = await launchBrowser();
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot(
    (web) => world.startBot("bot", { ...web, ALLOW_USER_INVITES: "true", REGISTRATION: "auto" }),
    "server",
  ));
  // The scenario's accounts (ACCOUNTS in test/helpers/scenario.ts) hold two of the four; the others join here.
  for (const name of ["carol", "dave"]) await world.servers.prosody.register(name, "localhost", `${name}-password`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

/** Asks the bot for a login link over chat, as a person would in their chat app. */
async function loginLinkFor(jid: string): Promise<string> {
  const user = await world.login(jid);
  const reply = (await user.ask(bot.jid, "login")).getChildText("body") ?? "";
  const link = new RegExp(`${webUrl}/console/login/[A-Za-z0-9_-]{24}`, "u").exec(reply)?.[0];
  if (link === undefined) throw new Error(`no login link in: ${reply}`);
  return link;
}

/** Waits until `locator` is on the screen (Playwright's wait, no fixed sleep) and gives its text. */
async function shown(locator: Locator): Promise<string> {
  await locator.waitFor({ state: "visible" });
  return (await locator.textContent()) ?? "";
}

/** The page is no wider than the window: nothing to scroll sideways to. */
async function fitsTheWindow(page: Page): Promise<void> {
  // A string, run in the page: the tests' TypeScript has no DOM types.
  const widths = await page.evaluate<{ page: number; window: number }>(
    "({ page: document.documentElement.scrollWidth, window: window.innerWidth })",
  );
  expect(widths.page).toBeLessThanOrEqual(widths.window);
}

describe("in a browser, the web console", () => {
  for (const { window, lang, user } of RUNS) {
    it(`on a ${window.name} in ${lang}: logs in, creates a contact invite, revokes it and logs out`, async () => {
      const texts = TEXTS[lang];
      const link = await loginLinkFor(user);
      const watched = await openPage(browser, { ...window, locale: texts.locale });
      const { page } = watched;

      await page.goto(link);
      await expect(page.locator("html").getAttribute("lang")).resolves.toBe(lang);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(texts.loginTitle);
      await fitsTheWindow(page);
      await page.getByRole("button", { name: texts.logIn(user) }).click();

      await expect(shown(page.getByText(texts.loggedIn(user)))).resolves.toBe(texts.loggedIn(user));
      const pending = page.locator("section", { has: page.getByRole("heading", { name: texts.pending, exact: true }) });
      await expect(shown(pending.getByText(texts.none))).resolves.toBe(texts.none);
      await fitsTheWindow(page);

      await page.getByRole("button", { name: texts.createContact }).click();
      const created = page.locator("section", { has: page.getByRole("heading", { name: texts.created, exact: true }) });
      const invitePage = created.getByRole("link", { name: /\/invite\// });
      await expect(shown(invitePage)).resolves.toMatch(new RegExp(`^${webUrl}/invite/[A-Za-z0-9_-]{24}$`, "u"));
      await expect(created.getByRole("img", { name: texts.qrPage }).isVisible()).resolves.toBe(true);
      await expect(created.getByRole("img", { name: texts.qrUri }).isVisible()).resolves.toBe(true);
      await fitsTheWindow(page);

      const listed = pending.getByRole("listitem").filter({ hasText: texts.contactInvite });
      await expect(listed.count()).resolves.toBe(1);
      await listed.getByRole("button", { name: texts.revoke }).click();
      await expect(shown(pending.getByText(texts.none))).resolves.toBe(texts.none);
      await expect(pending.getByRole("listitem").count()).resolves.toBe(0);
      await fitsTheWindow(page);

      await page.getByRole("button", { name: texts.logOut }).click();
      await page.getByLabel(texts.address).waitFor({ state: "visible" });
      await expect(page.getByText(texts.loggedIn(user)).count()).resolves.toBe(0);
      await expect(page.locator("html").getAttribute("lang")).resolves.toBe(lang);
      await fitsTheWindow(page);

      expect(watched.requests.filter((url) => !url.startsWith(webUrl))).toEqual([]);
      expect(watched.problems).toEqual([]);
      await page.context().close();
    });
  }
});
