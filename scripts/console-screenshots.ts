/**
 * The web console's part of `npm run screenshots` (docs/console.md "Screenshots"): the page without a session, the
 * page behind a login link, the console of an admin with a few invites, and the page right after creating one.
 * Served by the real web server over memory stores and a fixed clock (test/helpers/console-world.ts), so the dates
 * on the pictures do not change from one run to the next.
 */
import type { Browser, Page } from "playwright-core";
import { actorFor } from "../src/invites/permissions.js";
import type { BrowserWindow } from "../test/helpers/browser-windows.js";
import { type ConsoleWorld, consoleWorld } from "../test/helpers/console-world.js";
import { POLICY } from "../test/helpers/web-fakes.js";

export type Shoot = (name: string) => Promise<void>;

export interface ConsoleShots {
  /** Draws the console's pages in `window`, naming each with `shoot`. */
  shoot(browser: Browser, window: BrowserWindow, shooterOf: (page: Page) => Shoot): Promise<void>;
  close(): Promise<void>;
}

const ADMIN = "admin@example.org";

/** A few invites of several kinds, as an admin sees them: everyone's. */
async function someInvites(world: ConsoleWorld): Promise<void> {
  const admin = actorFor(ADMIN, POLICY);
  await world.service.createContactInvite(actorFor("alice@example.org", POLICY), "alice@example.org/phone");
  await world.service.createAccountInvite(admin, `${ADMIN}/laptop`, { maxUses: 5, note: "Book club" });
  await world.service.createPasswordResetInvite(admin, `${ADMIN}/laptop`, "bob@example.org");
}

export async function consoleShots(): Promise<ConsoleShots> {
  const world = consoleWorld();
  await someInvites(world);
  await world.server.listen({ host: "127.0.0.1", port: 0 });
  const address = world.server.server.address();
  if (address === null || typeof address === "string") throw new Error("the console's web server did not listen");
  const base = `http://127.0.0.1:${address.port}`;

  return {
    async shoot(browser, window, shooterOf) {
      const context = await browser.newContext({
        viewport: { width: window.width, height: window.height },
        userAgent: window.userAgent,
        locale: "en-US",
      });
      try {
        const page = await context.newPage();
        const shoot = shooterOf(page);
        await page.goto(`${base}/console`);
        await shoot("console-ask");
        await page.goto(`${base}${await world.loginPath(ADMIN)}`);
        await shoot("console-login");
        await page.getByRole("button", { name: `Log in as ${ADMIN}` }).click();
        await page.getByText(`Logged in as ${ADMIN}`).waitFor();
        await shoot("console");
        await page.getByLabel("Valid for").selectOption({ label: "1 day" });
        await page.getByLabel("How many people may use it").fill("3");
        await page.getByLabel("Note (optional)").fill("Family");
        await page.getByRole("button", { name: "Create an account invite" }).click();
        await page.getByRole("heading", { name: "Your new invite" }).waitFor();
        await shoot("console-created");
        // The next window starts from the same invites.
        const made = page.getByRole("listitem").filter({ hasText: "Note: Family" });
        await made.getByRole("button", { name: "Revoke" }).click();
        await made.waitFor({ state: "detached" });
      } finally {
        await context.close();
      }
    },
    close: () => world.server.close(),
  };
}
