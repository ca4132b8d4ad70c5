/**
 * The bot as the registration hook on ejabberd, the other cases (issue 12): the bot not an admin (the start-up
 * error), and mutual contacts without an HTTP API (from the new account, the inviter told to accept).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { freePort } from "../../helpers/ports.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { connectUser, type TestUser } from "../../helpers/xmpp-user.js";

let ejabberd: EjabberdServer;
let redis: RedisServer;
const bots: TestBot[] = [];
const users: TestUser[] = [];

beforeAll(async () => {
  // bot is an admin; bot2 is not. No api_permissions for the HTTP API.
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: false }), startRedis()]);
  for (const name of ["bot", "bot2", "alice"]) await ejabberd.register(name, `${name}-password`);
});

afterAll(async () => {
  await Promise.allSettled(users.map((user) => user.stop()));
  await Promise.allSettled(bots.map((bot) => bot.stop()));
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

async function webBot(username: string, env: Record<string, string> = {}, onFatal?: (error: Error) => void) {
  const port = await freePort();
  const webUrl = `http://127.0.0.1:${port}`;
  const bot = await startBot(
    { service: ejabberd.service, redisUrl: redis.botUrl },
    username,
    {
      ADMIN_JIDS: "alice@localhost",
      ALLOW_USER_INVITES: "true",
      REGISTRATION: "auto",
      WEB_LISTEN: `127.0.0.1:${port}`,
      WEB_URL: webUrl,
      XMPP_RESOURCE: `${username}-web`,
      ...env,
    },
    onFatal === undefined ? {} : { onFatal },
  );
  bots.push(bot);
  return { bot, webUrl };
}

describe("a bot that is not a server admin", () => {
  it("stops at start-up with an error that says what is missing", async () => {
    const fatal: Error[] = [];
    const { bot } = await webBot("bot2", {}, (error) => fatal.push(error));
    await eventually(async () => expect(fatal).toHaveLength(1));
    expect(fatal[0]?.message).toMatch(
      /does not announce our Prosody module .* does not offer the bot XEP-0133 add-user/u,
    );
    expect(fatal[0]?.message).toContain("make the bot's account a server administrator");
    expect(bot.logs.join("")).toContain("cannot turn invites into accounts");
  });
});

describe("a server that needs the bot as its hook, without web pages", () => {
  it("stops the bot at start-up, saying what to set", async () => {
    const fatal: Error[] = [];
    const bot = await startBot(
      { service: ejabberd.service, redisUrl: redis.botUrl },
      "bot",
      { ADMIN_JIDS: "alice@localhost", REGISTRATION: "auto", XMPP_RESOURCE: "bot-noweb" },
      { onFatal: (error) => fatal.push(error) },
    );
    bots.push(bot);
    await eventually(async () => expect(fatal).toHaveLength(1));
    expect(fatal[0]?.message).toContain("set WEB_LISTEN and WEB_URL");
  });
});

describe("mutual contacts without an HTTP API", () => {
  it("come from the new account: the inviter gets its request, and the bot tells them to accept", async () => {
    const { bot, webUrl } = await webBot("bot");
    expect(await bot.events.waitFor("registrar-chosen")).toEqual({ way: "bot" });
    const alice = await connectUser({
      service: ejabberd.service,
      domain: "localhost",
      username: "alice",
      password: "alice-password",
    });
    users.push(alice);
    const { landingUrl } = await bot.app.service.createContactInvite(
      actorFor("alice@localhost", bot.app.service.policy),
      "alice@localhost/phone",
    );
    const visitor = new WebVisitor(webUrl);
    const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
    const done = await visitor.submit(form, {
      username: "noapi",
      password: "noapi-password",
      password_again: "noapi-password",
    });
    expect(done.status).toBe(200);
    await alice.nextPresence({ from: "noapi@localhost", type: "subscribe" }, 10_000);
    const told = await alice.nextMessage({ from: "bot@localhost", body: /^noapi@localhost joined/u }, 10_000);
    expect(told.getChildText("body")).toBe(
      "noapi@localhost joined with your invite and asked to add you as a contact. Accept their request to see each other online.",
    );
    const newcomer = await connectUser({
      service: ejabberd.service,
      domain: "localhost",
      username: "noapi",
      password: "noapi-password",
    });
    users.push(newcomer);
    const item = (await newcomer.roster()).getChildren("item").find((entry) => entry.attrs.jid === "alice@localhost");
    expect(item?.attrs.ask).toBe("subscribe");
  });
});
