/**
 * The pages in the visitor's language, in a real browser (Debian's Chromium) whose locale sends Accept-Language
 * (RFC 9110 §12.5.4): a Polish phone registers in Polish, mistake and welcome included; the language switch offers
 * every catalog of data/locales/ under its own name, and its link wins over the browser.
 */
import { readdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../src/invites/permissions.js";
import type { TestBot } from "../helpers/bot.js";
import { launchBrowser, openPage } from "../helpers/browser.js";
import { freePort } from "../helpers/ports.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { connectUser } from "../helpers/xmpp-user.js";

const LANGUAGES = readdirSync(new URL("../../data/locales/", import.meta.url))
  .filter((name) => name.endsWith(".json"))
  .map((name) => name.slice(0, -5));
const PHONE = { width: 360, height: 740 };

let world: Scenario;
let bot: TestBot;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  world = await startScenario({ inviteModule: true });
  const port = await freePort();
  bot = await world.startBot("bot", { WEB_LISTEN: `127.0.0.1:${port}`, WEB_URL: `http://127.0.0.1:${port}` });
  await world.loginAll(["alice@localhost"]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

async function accountInvite(): Promise<string> {
  const admin = actorFor("admin@localhost", bot.app.service.policy);
  return (await bot.app.service.createAccountInvite(admin, "admin@localhost/web")).landingUrl;
}

describe("in a browser, the visitor's language", () => {
  it("a Polish phone gets the pages in Polish: the invite, a mistake at its field, the welcome", async () => {
    const { page, problems } = await openPage(browser, { ...PHONE, locale: "pl-PL" });
    await page.goto(await accountInvite());
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("pl");
    await expect(page.locator("h1").textContent()).resolves.toBe("Masz zaproszenie do serwisu localhost");
    await page.getByRole("link", { name: "Załóż konto" }).click();
    const fill = async (username: string) => {
      await page.getByLabel("Nazwa użytkownika").fill(username);
      await page.getByLabel("Hasło", { exact: true }).fill("polskie-hasło-1");
      await page.getByLabel("Powtórz hasło").fill("polskie-hasło-1");
      await page.getByRole("button", { name: "Załóż moje konto" }).click();
    };
    await fill("alice");
    await expect(page.locator("#username-error").textContent()).resolves.toBe(
      "Ta nazwa użytkownika jest już zajęta. Wybierz inną.",
    );
    await fill("zosia");
    await expect(page.locator("h1").textContent()).resolves.toBe("Witaj, zosia@localhost!");
    expect(problems).toEqual([]);
    const zosia = await connectUser({
      service: world.servers.service,
      domain: "localhost",
      username: "zosia",
      password: "polskie-hasło-1",
    });
    world.users.push(zosia);
    expect(zosia.bareJid).toBe("zosia@localhost");
  });

  it("offers every language under its own name, and its choice wins over the browser's", async () => {
    const { page } = await openPage(browser, { ...PHONE, locale: "ru-RU" });
    await page.goto(await accountInvite());
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("ru");
    const entries = page.locator("nav.languages li > [lang]");
    await expect(entries.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("lang")))).resolves.toEqual(
      LANGUAGES,
    );
    await expect(page.locator('nav.languages [aria-current="true"]').textContent()).resolves.toBe("Русский");
    // No sideways scrolling on a phone: the switch wraps rather than widening the page.
    await page.getByRole("link", { name: "Українська" }).click();
    await expect(page.locator("html").getAttribute("lang")).resolves.toBe("uk");
    await expect(page.locator("h1").textContent()).resolves.toBe("Вас запрошують на localhost");
  });
});
