/**
 * Debian's Chromium driven by playwright-core, for the browser tests and `npm run screenshots`. Headless, no
 * sandbox (CI runs as root), and a record of every request a page makes, to check that none leaves our site.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { findOnPath, requireBinaries } from "./require-binary.js";

export const BROWSER_INSTALL_COMMAND = "apt-get install -y chromium";

export async function launchBrowser(): Promise<Browser> {
  requireBinaries(["chromium"], BROWSER_INSTALL_COMMAND);
  return chromium.launch({
    executablePath: findOnPath("chromium") ?? "chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

export interface WatchedPage {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Script errors, console errors (CSP violations among them) and sub-resources that failed to load. */
  problems: string[];
}

export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number; locale?: string; userAgent?: string } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    locale: options.locale ?? "en-US",
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
  });
  const page = await context.newPage().catch(async (error: unknown) => {
    // The context is the browser's to keep otherwise: close it, so that a failed open leaves nothing behind.
    await context.close().catch(() => undefined);
    throw error;
  });
  // Fail within a test's time, with Playwright's own message saying what it waited for.
  page.setDefaultTimeout(10_000);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    // A page's own 4xx status (a form with a mistake is a 400 or 409) is reported as "Failed to load resource".
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(message.text());
    }
  });
  page.on("response", (response) => {
    if (response.request().resourceType() !== "document" && response.status() >= 400) {
      problems.push(`${response.status()} for ${response.url()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return { page, requests, problems };
}
