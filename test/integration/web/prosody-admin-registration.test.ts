/**
 * The bot as the registration hook on Prosody *without* our module (issue 12): Prosody's mod_admin_adhoc answers
 * XEP-0133 with `status='completed'` and `<note type='error'>` instead of stanza errors; each still becomes the
 * right words on the page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { startBot, type TestBot } from "../../helpers/bot.js";
import { freePort } from "../../helpers/ports.js";
import { startServers, type TestServers } from "../../helpers/servers.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { textOf } from "../../helpers/web-form.js";
import { connectUser } from "../../helpers/xmpp-user.js";

let servers: TestServers;
let bot: TestBot;
let webUrl: string;

beforeAll(async () => {
  servers = await startServers({ extraModules: ["admin_adhoc"], extraConfig: 'admins = { "bot@localhost" }' });
  for (const name of ["bot", "admin", "taken"]) await servers.prosody.register(name, "localhost", `${name}-password`);
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  bot = await startBot(servers, "bot", {
    ADMIN_JIDS: "admin@localhost",
    REGISTRATION: "auto",
    WEB_LISTEN: `127.0.0.1:${port}`,
    WEB_URL: webUrl,
  });
});

afterAll(async () => {
  await bot?.stop();
  await servers?.stop();
});

describe("Prosody without our module, the bot an admin", () => {
  it("is found out at start-up: the bot makes the accounts", async () => {
    expect(await bot.events.waitFor("registrar-chosen")).toEqual({ way: "bot" });
  });

  it("turns a completed-with-error-note answer into words, and the invite stays usable", async () => {
    const { landingUrl } = await bot.app.service.createAccountInvite(
      actorFor("admin@localhost", bot.app.service.policy),
      "admin@localhost/web",
    );
    const visitor = new WebVisitor(webUrl);
    const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
    const taken = await visitor.submit(form, {
      username: "taken",
      password: "pa-password",
      password_again: "pa-password",
    });
    expect(taken.status).toBe(409);
    expect(textOf(taken.body, { id: "username-error" })).toBe(
      "This username is already taken. Please choose another one.",
    );
    const done = await visitor.submit(taken, {
      username: "viaadmin",
      password: "pa-password",
      password_again: "pa-password",
    });
    expect(done.status).toBe(200);
    const user = await connectUser({
      service: servers.service,
      domain: "localhost",
      username: "viaadmin",
      password: "pa-password",
    });
    await user.stop();
    expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(404);
  });
});
