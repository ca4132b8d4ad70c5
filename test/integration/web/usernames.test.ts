/**
 * The username rule on Prosody 0.12 with our module (issue 19): the page registers in-band, so the server's own
 * storage limit and folding are the ones that count. A name longer than Prosody's file storage holds is refused
 * before the invite is claimed, the longest one it holds is made, and the page shows the account Prosody made.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { MAX_USERNAME_BYTES } from "../../../src/invites/username.js";
import type { TestBot } from "../../helpers/bot.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { type WebPage, WebVisitor } from "../../helpers/web-client.js";
import { textOf } from "../../helpers/web-form.js";
import { canLogIn } from "../../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let webUrl: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot(
    (web) =>
      world.startBot("bot", {
        ...web,
        REGISTRATION: "auto",
        WEB_VIEWS_PER_MINUTE: "100000",
        WEB_ATTEMPTS_PER_10_MINUTES: "100000",
      }),
    "server",
  ));
});

afterAll(async () => {
  await world?.stop();
});

async function invite(): Promise<string> {
  const admin = actorFor("admin@localhost", bot.app.service.policy);
  return (await bot.app.service.createAccountInvite(admin, "admin@localhost/web")).landingUrl;
}

async function submit(landingUrl: string, username: string): Promise<WebPage> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
  return visitor.submit(form, { username, password: "pr-password", password_again: "pr-password" });
}

/** Prosody's account file for `name` (util/datamanager.lua: every byte but a letter or digit as %xx). */
function accountFile(name: string): string {
  const encoded = [...Buffer.from(name)]
    .map((byte) =>
      /[A-Za-z0-9]/u.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, "0")}`,
    )
    .join("");
  return join(world.servers.prosody.dir, "data", "localhost", "accounts", `${encoded}.dat`);
}

describe("names longer than Prosody's storage holds", () => {
  it.each([
    ["84 bytes", "_".repeat(MAX_USERNAME_BYTES + 1)],
    ["300 bytes", "x".repeat(300)],
    ["100 × é", "é".repeat(100)],
  ])("are refused before the invite is claimed (%s), and the invite stays usable", async (_what, username) => {
    const landingUrl = await invite();
    const page = await submit(landingUrl, username);
    expect(page.status).toBe(400);
    expect(textOf(page.body, { id: "username-error" })).toBe(
      "This username is too long: at most 83 bytes (fewer letters with accents or in other scripts).",
    );
    expect(existsSync(accountFile(username))).toBe(false);
    const name = `after${username.length}`;
    expect((await submit(landingUrl, name)).status).toBe(200);
    expect(await canLogIn(world.servers.service, `${name}@localhost`, "pr-password")).toBe(true);
  });

  it("makes the longest name it holds: 83 bytes that are each stored as three", async () => {
    const longest = "_".repeat(MAX_USERNAME_BYTES);
    const done = await submit(await invite(), longest);
    expect(done.status).toBe(200);
    expect(existsSync(accountFile(longest))).toBe(true);
    expect(await canLogIn(world.servers.service, `${longest}@localhost`, "pr-password")).toBe(true);
  });
});

describe("what Prosody makes of a name", () => {
  it("is what the page shows: straße is strasse", async () => {
    const done = await submit(await invite(), "Straße");
    expect(done.status).toBe(200);
    expect(done.body).toContain("Welcome, strasse@localhost!");
    expect(await canLogIn(world.servers.service, "strasse@localhost", "pr-password")).toBe(true);
  });

  it.each(["bo\u00adb2", "victim＠other.localhost", "other.localhost／"])(
    "refuses %j, which Prosody would store as another name",
    async (username) => {
      const page = await submit(await invite(), username);
      expect(page.status).toBe(400);
      expect(textOf(page.body, { id: "username-error" })).toBe(
        "This username contains characters that are not allowed.",
      );
      expect(existsSync(accountFile("bob2"))).toBe(false);
    },
  );
});
