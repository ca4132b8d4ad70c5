/**
 * Prosody without our module, the bot making accounts with XEP-0133 (mod_admin_adhoc): when add-user's answer
 * misses the deadline, the bot asks with `user-stats` whether the account exists (Prosody has no
 * get-registered-users-list), and keeps the use exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventsKey } from "../../../src/storage/keys.js";
import { startBot, type TestBot } from "../../helpers/bot.js";
import { type RawRedis, rawRedisClient } from "../../helpers/scenario.js";
import { startServers, type TestServers } from "../../helpers/servers.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { startXmppProxy, type XmppProxy } from "../../helpers/xmpp-proxy.js";
import { canLogIn } from "../../helpers/xmpp-user.js";

let servers: TestServers;
let proxy: XmppProxy;
let raw: RawRedis;
let bot: TestBot;
let webUrl: string;

beforeAll(async () => {
  servers = await startServers({ extraModules: ["admin_adhoc"], extraConfig: 'admins = { "bot@localhost" }' });
  for (const name of ["bot", "admin"]) await servers.prosody.register(name, "localhost", `${name}-password`);
  proxy = await startXmppProxy(servers.prosody.port);
  raw = rawRedisClient(servers.redis.url);
  raw.on("error", () => {});
  await raw.connect();
  ({ bot, webUrl } = await startWebBot(
    (web) =>
      startBot({ service: proxy.service, redisUrl: servers.redisUrl }, "bot", {
        ...web,
        ADMIN_JIDS: "admin@localhost",
        REGISTRATION: "bot",
      }),
    "bot",
  ));
});

afterAll(async () => {
  await bot?.stop();
  raw?.destroy();
  await proxy?.stop();
  await servers?.stop();
});

describe("Prosody without our module: add-user's answer comes after the deadline", () => {
  it("finds the account with user-stats, keeps the use and records it once", async () => {
    const { invite, landingUrl } = await bot.app.service.createAccountInvite(
      actorFor("admin@localhost", bot.app.service.policy),
      "admin@localhost/web",
    );
    const visitor = new WebVisitor(webUrl);
    const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
    const held = proxy.holdAfter(/#add-user" action="complete"/u, "answers");
    const page = await visitor.submit(form, {
      username: "slowprosody",
      password: "slow-password",
      password_again: "slow-password",
    });
    await held;
    expect(page.status).toBe(503);
    proxy.release();

    const settled = await bot.events.waitFor("use-settled", {
      matches: ({ jid }) => jid === "slowprosody@localhost",
      ms: 15_000,
    });
    expect(settled.outcome).toBe("stands");
    expect(await canLogIn(servers.service, "slowprosody@localhost", "slow-password")).toBe(true);
    expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(404);
    const entries = await raw.xRange(eventsKey("localhost"), "-", "+");
    expect(entries.filter((entry) => entry.message.invite === inviteId(invite.token))).toHaveLength(1);
  }, 60_000);
});
