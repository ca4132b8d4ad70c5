/**
 * The landing page of an invite to a circle, in a real browser (Debian's Chromium): besides "create your account",
 * a section for people who already have an account on the domain, with the bot's join link
 * (`xmpp:BOT@HOST?roster;preauth=TOKEN`, docs/circles.md "Joining with an existing account"). An invite to no circle
 * has no such section.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../src/invites/permissions.js";
import { tokenOf } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { launchBrowser, openPage } from "../helpers/browser.js";
import { freePort } from "../helpers/ports.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";

let world: Scenario;
let bot: TestBot;
let browser: Browser;
let webUrl: string;

beforeAll(async () => {
  browser = await launchBrowser();
  world = await startScenario({ inviteModule: true });
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  bot = await world.startBot("bot", { WEB_LISTEN: `127.0.0.1:${port}`, WEB_URL: webUrl });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

const admin = () => actorFor("admin@localhost", bot.app.service.policy);

describe("in a browser, the landing page of an invite to a circle", () => {
  it("offers people with an account on the domain the bot's join link", async () => {
    await bot.app.circles.create(admin(), "Family", { members: ["alice@localhost"] });
    const { invite, landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", {
      circles: ["Family"],
    });
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(landingUrl);
    const section = page.locator("section.existing-account");
    await expect(section.locator("h2").textContent()).resolves.toBe(
      "Already on localhost? Join Family with your account:",
    );
    const link = section.getByRole("link", { name: "Join with my account" });
    await expect(link.getAttribute("href")).resolves.toBe(`xmpp:bot@localhost?roster;preauth=${tokenOf(invite.uri)}`);
    // The page's own way in stays the first one.
    await expect(page.getByRole("link", { name: "Create your account" }).count()).resolves.toBe(1);
    expect(watched.requests.filter((url) => !url.startsWith(webUrl))).toEqual([]);
    expect(watched.problems).toEqual([]);

    // In German too (data/locales/de.json).
    await page.goto(`${landingUrl}?lang=de`);
    await expect(section.locator("h2").textContent()).resolves.toBe(
      "Schon auf localhost? Tritt Family mit deinem Konto bei:",
    );
  });

  it("has no such section for an invite to no circle", async () => {
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web");
    const { page } = await openPage(browser);
    await page.goto(landingUrl);
    await expect(page.locator("h1").textContent()).resolves.toBe("You are invited to localhost");
    await expect(page.locator("section.existing-account").count()).resolves.toBe(0);
  });
});
