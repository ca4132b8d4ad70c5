/**
 * A newcomer in a real browser (Debian's Chromium): opens the landing URL the ad-hoc command gave, follows
 * "create your account", fills the form, sees the success page; then the account is checked over XMPP.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../src/invites/permissions.js";
import { executeIq, formValues } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { launchBrowser, openPage, type WatchedPage } from "../helpers/browser.js";
import { freePort } from "../helpers/ports.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { connectUser, subscriptionOf, type TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let browser: Browser;
let admin: TestUser;
let alice: TestUser;
let webUrl: string;

beforeAll(async () => {
  browser = await launchBrowser();
  world = await startScenario({ inviteModule: true });
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  bot = await world.startBot("bot", { WEB_LISTEN: `127.0.0.1:${port}`, WEB_URL: webUrl, ALLOW_USER_INVITES: "true" });
  [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
});

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

async function landingUrl(user: TestUser, node: string): Promise<string> {
  const reply = await user.requestRaw(executeIq(bot.jid, node, { action: "complete" }));
  const url = formValues(reply.getChild("command")?.getChild("x"))["landing-url"];
  if (url === undefined) throw new Error(`no landing-url: ${reply.toString()}`);
  return url;
}

async function fillAndSubmit(watched: WatchedPage, username: string, password: string): Promise<void> {
  const { page } = watched;
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Password again").fill(password);
  await page.getByRole("button", { name: "Create my account" }).click();
  await page.waitForLoadState("domcontentloaded");
}

function expectOnlyOurSite(watched: WatchedPage): void {
  expect(watched.requests.filter((url) => !url.startsWith(webUrl))).toEqual([]);
  expect(watched.problems).toEqual([]);
}

async function logIn(username: string, password: string): Promise<TestUser> {
  const user = await connectUser({ service: world.servers.service, domain: "localhost", username, password });
  world.users.push(user);
  return user;
}

describe("in a browser", () => {
  it("a newcomer registers from an account invite and logs in over XMPP", async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(await landingUrl(admin, "urn:xmpp:invite#create-account"));
    await expect(page.locator("h1").textContent()).resolves.toBe("You are invited to localhost");
    await page.getByRole("link", { name: "Create your account" }).click();
    await fillAndSubmit(watched, "browsie", "browsie-password");
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, browsie@localhost!");
    expectOnlyOurSite(watched);
    const browsie = await logIn("browsie", "browsie-password");
    expect(browsie.bareJid).toBe("browsie@localhost");
  });

  it("a newcomer registers from an account-and-contact invite and has the inviter as a contact", async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(await landingUrl(alice, "urn:xmpp:invite#invite"));
    await expect(page.locator("h1").textContent()).resolves.toBe("alice@localhost invites you to chat");
    await page.getByRole("link", { name: "Create your account" }).click();
    await fillAndSubmit(watched, "pal", "pal-password");
    await expect(page.locator("p.contact").textContent()).resolves.toBe("alice@localhost is already in your contacts.");
    expectOnlyOurSite(watched);
    const pal = await logIn("pal", "pal-password");
    expect(subscriptionOf(await pal.roster(), "alice@localhost")).toBe("both");
  });

  it("a mistake is shown next to its field, the name kept, and the corrected form goes through", async () => {
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(await landingUrl(admin, "urn:xmpp:invite#create-account"));
    await page.getByRole("link", { name: "Create your account" }).click();
    await fillAndSubmit(watched, "alice", "second-try-pw");
    await expect(page.locator("#username-error").textContent()).resolves.toBe(
      "This username is already taken. Please choose another one.",
    );
    await expect(page.getByLabel("Username").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(page.getByLabel("Username").inputValue()).resolves.toBe("alice");
    await expect(page.getByLabel("Password", { exact: true }).inputValue()).resolves.toBe("");
    await fillAndSubmit(watched, "alice2", "second-try-pw");
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, alice2@localhost!");
    expectOnlyOurSite(watched);
    expect((await logIn("alice2", "second-try-pw")).bareJid).toBe("alice2@localhost");
  });

  it("an invite to a circle says so on its landing page and on the success page", async () => {
    const adminActor = actorFor("admin@localhost", bot.app.service.policy);
    await bot.app.circles.create(adminActor, "Chess club");
    await bot.app.circles.create(adminActor, "Neighbours");
    const { landingUrl: url } = await bot.app.service.createAccountInvite(adminActor, "admin@localhost/desk", {
      circles: ["chess club", "Neighbours"],
      rooms: ["board@conference.localhost"],
    });
    const watched = await openPage(browser);
    const { page } = watched;
    await page.goto(url);
    await expect(page.locator("p.intro").textContent()).resolves.toBe(
      "admin@localhost invites you to Chess club and Neighbours on localhost.",
    );
    await expect(page.locator("p.rooms").textContent()).resolves.toBe("Group chats: board@conference.localhost.");
    await page.getByRole("link", { name: "Create your account" }).click();
    await fillAndSubmit(watched, "knight", "knight-password");
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, knight@localhost!");
    await expect(page.locator("p.circles").textContent()).resolves.toBe(
      "Your invite was to Chess club and Neighbours.",
    );
    await expect(page.locator("p.rooms").textContent()).resolves.toBe("Group chats: board@conference.localhost.");
    expectOnlyOurSite(watched);
  });
});
