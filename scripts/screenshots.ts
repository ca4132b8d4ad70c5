/**
 * `npm run screenshots`: PNGs of every invite page and of the web console at phone (390 px) and desktop (1280 px)
 * widths, in docs/screenshots/, for the README, docs/web.md and docs/console.md. The pages are served by the real
 * web server with memory stores and a registrar that answers as told (no XMPP server needed); Debian's Chromium
 * draws them.
 */
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { actorFor } from "../src/invites/permissions.js";
import { InviteService } from "../src/invites/service.js";
import { invitePagePath } from "../src/invites/uri.js";
import { createLogger } from "../src/logger.js";
import { launchBrowser } from "../test/helpers/browser.js";
import { WINDOWS } from "../test/helpers/browser-windows.js";
import { POLICY, webWorld } from "../test/helpers/web-fakes.js";
import { consoleShots } from "./console-screenshots.js";

const OUT = new URL("../docs/screenshots/", import.meta.url);
const log = createLogger("info");

const world = webWorld({ web: { url: "http://127.0.0.1:8080", siteName: "Example Chat" } });
await world.server.listen({ host: "127.0.0.1", port: 0 });
const address = world.server.server.address();
if (address === null || typeof address === "string") throw new Error("the web server did not listen");
const base = `http://127.0.0.1:${address.port}`;
const local = (url: string) => url.replace("http://127.0.0.1:8080", base);

const admin = actorFor("admin@example.org", POLICY);
const alice = actorFor("alice@example.org", POLICY);
const contactOnly = new InviteService({
  store: world.store,
  policy: { ...POLICY, allowUserInvites: false },
  ttlSeconds: 3600,
  invitePage: `http://127.0.0.1:8080${invitePagePath("{token}")}`,
});
const pageOf = async (created: Promise<{ invite: { token: string } }>) =>
  `${base}${invitePagePath((await created).invite.token)}`;

const account = await pageOf(world.service.createAccountInvite(admin, "admin@example.org/laptop"));
const pages: Record<string, string> = {
  account,
  "account-contact": await pageOf(world.service.createContactInvite(alice, "alice@example.org/phone")),
  contact: await pageOf(contactOnly.createContactInvite(alice, "alice@example.org/phone")),
  reset: await pageOf(world.service.createPasswordResetInvite(admin, "admin@example.org/x", "bob@example.org")),
  invalid: `${base}${invitePagePath("A".repeat(24))}`,
  "account-de": `${account}?lang=de`,
};

/** Draws the whole of `page` into docs/screenshots/NAME-WINDOW.png. */
function shooterOf(page: Page, window: string): (name: string) => Promise<void> {
  return async (name) => {
    const file = new URL(`${name}-${window}.png`, OUT);
    await page.screenshot({ path: file.pathname, fullPage: true });
    log.info("Screenshot", { file: file.pathname.slice(file.pathname.indexOf("docs/")) });
  };
}

/** The form after a mistake the server found, and the success page after the correction. */
async function formPages(page: Page, shoot: (name: string) => Promise<void>): Promise<void> {
  const url = await pageOf(world.service.createContactInvite(alice, "alice@example.org/phone"));
  await page.goto(`${url}/register`);
  await shoot("register");
  world.registrar.next = { ok: false, reason: "username-taken" };
  await page.getByLabel("Username").fill("alice");
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
  await page.getByLabel("Password again").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Create my account" }).click();
  await shoot("register-error");
  world.registrar.next = { ok: true };
  await page.getByLabel("Username").fill("newcomer");
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
  await page.getByLabel("Password again").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Create my account" }).click();
  await shoot("success");
}

mkdirSync(OUT, { recursive: true });
const browser = await launchBrowser();
const consolePages = await consoleShots();
try {
  for (const size of WINDOWS) {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      userAgent: size.userAgent,
      locale: "en-US",
    });
    const page = await context.newPage();
    const shoot = shooterOf(page, size.name);
    for (const [name, url] of Object.entries(pages)) {
      await page.goto(local(url));
      await shoot(name);
    }
    await formPages(page, shoot);
    await context.close();
    await consolePages.shoot(browser, size, (consolePage) => shooterOf(consolePage, size.name));
  }
} finally {
  await browser.close();
  await world.server.close();
  await consolePages.close();
}
