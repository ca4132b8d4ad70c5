/**
 * The username rule where the bot is the registration hook (issue 19): a private ejabberd 23.01 serving two hosts,
 * localhost and other.localhost, the bot an admin of localhost only (docs/servers.md). Names that fold into another
 * host's address, invisible characters, names too long and lookalikes of an admin are refused before anything is
 * claimed or asked of the server; and a bot that is an admin of every host refuses to start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { freePort } from "../../helpers/ports.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { type WebPage, WebVisitor } from "../../helpers/web-client.js";
import { textOf } from "../../helpers/web-form.js";
import { canLogIn } from "../../helpers/xmpp-user.js";

const OTHER = "other.localhost";
const INVALID = "This username contains characters that are not allowed.";

let ejabberd: EjabberdServer;
let redis: RedisServer;
const bots: TestBot[] = [];

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([
    startEjabberd({ admins: ["bot@localhost", "lenient@localhost"], otherHosts: [OTHER], api: false }),
    startRedis(),
  ]);
  for (const name of ["bot", "lenient", "admin"]) await ejabberd.register(name, `${name}-password`);
  await ejabberd.register("victim", "victim-password", OTHER);
});

afterAll(async () => {
  await Promise.allSettled(bots.map((bot) => bot.stop()));
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

async function webBot(username: string, env: Record<string, string> = {}) {
  const started = await startWebBot(async (web) => {
    const bot = await startBot({ service: ejabberd.service, redisUrl: redis.botUrl }, username, {
      ...web,
      ADMIN_JIDS: "admin@localhost",
      REGISTRATION: "auto",
      WEB_VIEWS_PER_MINUTE: "100000",
      WEB_ATTEMPTS_PER_10_MINUTES: "100000",
      XMPP_RESOURCE: `${username}-web`,
      ...env,
    });
    bots.push(bot);
    return bot;
  }, "bot");
  return { bot: started.bot, webUrl: started.webUrl };
}

let main: { bot: TestBot; webUrl: string };
beforeAll(async () => {
  main = await webBot("bot");
});

async function invite(on = main) {
  const admin = actorFor("admin@localhost", on.bot.app.service.policy);
  return (await on.bot.app.service.createAccountInvite(admin, "admin@localhost/web")).landingUrl;
}

async function submit(landingUrl: string, username: string, webUrl = main.webUrl): Promise<WebPage> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
  return visitor.submit(form, { username, password: "us-password", password_again: "us-password" });
}

async function accounts(): Promise<{ here: string[]; other: string[] }> {
  return { here: await ejabberd.registeredUsers(), other: await ejabberd.registeredUsers(OTHER) };
}

describe("names that fold into another host's address", () => {
  it.each([`victim＠${OTHER}／`, `newcomer﹫${OTHER}`, `${OTHER}／`, `victim＠${OTHER}`])(
    "refuses %s, creates nothing on either host, and keeps the invite",
    async (username) => {
      const landingUrl = await invite();
      const before = await accounts();
      const page = await submit(landingUrl, username);
      expect(page.status).toBe(400);
      expect(textOf(page.body, { id: "username-error" })).toBe(INVALID);
      expect(await accounts()).toEqual(before);
      expect(await canLogIn(ejabberd.service, `victim@${OTHER}`, "us-password")).toBe(false);
      // The invite was not used: it still makes an account.
      const name = `kept${before.here.length}`;
      expect((await submit(landingUrl, name)).status).toBe(200);
      expect(await canLogIn(ejabberd.service, `${name}@localhost`, "us-password")).toBe(true);
    },
  );

  it("answers a name that exists on another host as any invalid name: no probing of other hosts", async () => {
    const landingUrl = await invite();
    const existing = await submit(landingUrl, `victim＠${OTHER}`);
    const unknown = await submit(landingUrl, `nobody-there＠${OTHER}`);
    const symbol = await submit(landingUrl, "snow☃");
    for (const page of [existing, unknown, symbol]) {
      expect(page.status).toBe(400);
      expect(textOf(page.body, { id: "username-error" })).toBe(INVALID);
    }
    // The same name on this host is another account, and free.
    expect((await submit(landingUrl, "victim")).status).toBe(200);
    expect(await canLogIn(ejabberd.service, "victim@localhost", "us-password")).toBe(true);
    expect(await canLogIn(ejabberd.service, `victim@${OTHER}`, "victim-password")).toBe(true);
  });
});

describe("names the servers would store otherwise than the page says", () => {
  it("refuses a soft hyphen instead of letting the server drop it (bo\\u00adb2 would be bob2)", async () => {
    const landingUrl = await invite();
    const page = await submit(landingUrl, "bo\u00adb2");
    expect(page.status).toBe(400);
    expect(textOf(page.body, { id: "username-error" })).toBe(INVALID);
    expect((await accounts()).here).not.toContain("bob2");
  });

  it("shows the account the server made: straße is strasse", async () => {
    const done = await submit(await invite(), "Straße");
    expect(done.status).toBe(200);
    expect(done.body).toContain("Welcome, strasse@localhost!");
    expect((await accounts()).here).toContain("strasse");
    expect(await canLogIn(ejabberd.service, "strasse@localhost", "us-password")).toBe(true);
  });

  it("refuses a name longer than every server stores (84 bytes) before the invite is claimed", async () => {
    const landingUrl = await invite();
    const before = await accounts();
    for (const username of ["é".repeat(42), "x".repeat(300)]) {
      const page = await submit(landingUrl, username);
      expect(page.status).toBe(400);
      expect(textOf(page.body, { id: "username-error" })).toContain("This username is too long: at most 83 bytes");
    }
    expect(await accounts()).toEqual(before);
    expect(main.bot.logs.join("")).not.toContain("The server refused the account");
    // 83 bytes is stored. (Seen in the server's list: xmpp.js's SCRAM client does not log in with non-ASCII names.)
    const longest = `${"é".repeat(41)}_`;
    expect((await submit(landingUrl, longest)).status).toBe(200);
    expect((await accounts()).here).toContain(longest);
  });
});

describe("lookalikes of an admin's name (USERNAME_CONFUSABLES)", () => {
  it("refuses Cyrillic аdmin beside admin with the check on", async () => {
    const page = await submit(await invite(), "аdmin");
    expect(page.status).toBe(400);
    expect(textOf(page.body, { id: "username-error" })).toBe(
      "This username looks too much like the name of an administrator or of this service. Please choose another one.",
    );
    expect((await accounts()).here).not.toContain("аdmin");
  });

  it("registers it with USERNAME_CONFUSABLES=false", async () => {
    const lenient = await webBot("lenient", { USERNAME_CONFUSABLES: "false" });
    const done = await submit(await invite(lenient), "аdmin", lenient.webUrl);
    expect(done.status).toBe(200);
    expect(done.body).toContain("Welcome, аdmin@localhost!");
    expect((await accounts()).here).toContain("аdmin");
  });
});

describe("a bot that is an admin of every host", () => {
  it("refuses to start, saying how to limit it to its own host", async () => {
    const everywhere = await startEjabberd({ admins: ["bot@localhost"], otherHosts: [OTHER], adminScope: "global" });
    try {
      await everywhere.register("bot", "bot-password");
      const port = await freePort();
      const fatal: Error[] = [];
      const bot = await startBot(
        { service: everywhere.service, redisUrl: redis.botUrl },
        "bot",
        { REGISTRATION: "auto", WEB_LISTEN: `127.0.0.1:${port}`, WEB_URL: `http://127.0.0.1:${port}` },
        { onFatal: (error) => fatal.push(error) },
      );
      bots.push(bot);
      await eventually(async () => expect(fatal).toHaveLength(1));
      expect(fatal[0]?.message).toContain("an administrator of every host of this server, not only of localhost");
      expect(fatal[0]?.message).toContain('under host_config: "localhost"');
      expect(bot.events.all("registrar-chosen")).toEqual([]);
    } finally {
      await everywhere.stop();
    }
  });
});
