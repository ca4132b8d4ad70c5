/**
 * The bot as the registration hook on a server without one of ours (issue 12): a private ejabberd 23.01 (Debian
 * 12), the bot an admin there (XEP-0133), Redis, and the invite web pages. Accounts are made through the page
 * and checked over XMPP; the invite rules are our Prosody module's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { InviteService } from "../../../src/invites/service.js";
import { quotaKey } from "../../../src/storage/keys.js";
import { eventually, startBot, type TestBot } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { rawRedisClient } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { type WebPage, WebVisitor } from "../../helpers/web-client.js";
import { textOf } from "../../helpers/web-form.js";
import { canLogIn, connectUser, subscriptionOf, type TestUser } from "../../helpers/xmpp-user.js";

let ejabberd: EjabberdServer;
let redis: RedisServer;
let bot: TestBot;
let webUrl: string;
let alice: TestUser;
const users: TestUser[] = [];

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: true }), startRedis()]);
  for (const name of ["bot", "admin", "alice", "plain"]) await ejabberd.register(name, `${name}-password`);
  ({ bot, webUrl } = await startWebBot(
    (web) =>
      startBot({ service: ejabberd.service, redisUrl: redis.botUrl }, "bot", {
        ...web,
        ADMIN_JIDS: "admin@localhost",
        ALLOW_USER_INVITES: "true",
        REGISTRATION: "auto",
        EJABBERD_API_URL: ejabberd.apiUrl,
        // Every visitor here is 127.0.0.1: the limits have their own tests (test/integration/web/rate-limits.test.ts).
        WEB_VIEWS_PER_MINUTE: "100000",
        WEB_ATTEMPTS_PER_10_MINUTES: "100000",
      }),
    "bot",
  ));
  alice = await logIn("alice", "alice-password");
});

afterAll(async () => {
  await Promise.allSettled(users.map((user) => user.stop()));
  await bot?.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

async function logIn(username: string, password: string): Promise<TestUser> {
  const user = await connectUser({
    service: ejabberd.service,
    domain: "localhost",
    username,
    password,
    timeoutMs: 5_000,
  });
  users.push(user);
  return user;
}

const admin = () => actorFor("admin@localhost", bot.app.service.policy);

async function register(url: string, username: string, password: string): Promise<WebPage> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(url), "create-account");
  return visitor.submit(form, { username, password, password_again: password });
}

describe("on ejabberd, through the web page", () => {
  it("an account invite makes one account that logs in over XMPP, once", async () => {
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web");
    const done = await register(landingUrl, "ejnew", "ejnew-password");
    expect(done.status).toBe(200);
    expect(done.body).toContain("Welcome, ejnew@localhost!");
    expect(await canLogIn(ejabberd.service, "ejnew@localhost", "ejnew-password")).toBe(true);
    expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(404);
    const relations = await bot.app.service.relationsOf(admin(), "ejnew@localhost");
    expect(relations.invitedBy).toBe("admin@localhost");
  });

  it("20 racers on one token make exactly one account", async () => {
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web");
    const visitors = Array.from({ length: 20 }, () => new WebVisitor(webUrl));
    const forms = await Promise.all(
      visitors.map(async (visitor) => visitor.follow(await visitor.get(landingUrl), "create-account")),
    );
    const answers = await Promise.all(
      forms.map((form, i) =>
        visitors[i]?.submit(form, { username: `racer${i}`, password: "racer-pw", password_again: "racer-pw" }),
      ),
    );
    expect(answers.filter((page) => page?.status === 200)).toHaveLength(1);
    // The others are refused: "used up a moment ago" (410) on the form, or the 404 page when the claim was over
    // before their request looked the invite up.
    expect(answers.filter((page) => page?.status === 410 || page?.status === 404)).toHaveLength(19);
    const logins = await Promise.all(
      answers.map((_, i) => canLogIn(ejabberd.service, `racer${i}@localhost`, "racer-pw")),
    );
    expect(logins.filter(Boolean)).toHaveLength(1);
  });

  it("a counted invite's last use, refused by the server, is given back whole", async () => {
    const { landingUrl } = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", { maxUses: 2 });
    expect((await register(landingUrl, "last1", "last-password")).status).toBe(200);
    // The second and last use: the claim removes every key of the invite, then the server refuses the name.
    expect((await register(landingUrl, "plain", "last-password")).status).toBe(409);
    expect((await register(landingUrl, "last2", "last-password")).status).toBe(200);
    expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(404);
  });

  it("a contact-only invite's page says that the request is an ordinary one here", async () => {
    const contactOnly = new InviteService({
      store: bot.app.store,
      policy: { ...bot.app.service.policy, allowUserInvites: false },
      ttlSeconds: 3600,
      invitePage: `${webUrl}/invite/{token}`,
    });
    const { landingUrl } = await contactOnly.createContactInvite(
      actorFor("alice@localhost", bot.app.service.policy),
      "alice@localhost/phone",
    );
    const page = await new WebVisitor(webUrl).get(landingUrl);
    expect(page.status).toBe(200);
    expect(textOf(page.body, { className: "no-preapproval" })).toBe(
      "This server does not add contacts by itself: your request reaches alice@localhost as an ordinary contact request, which they accept.",
    );
  });

  it("counts a user's invites in the quota, as on Prosody", async () => {
    const key = quotaKey("localhost", "alice@localhost");
    const raw = rawRedisClient(redis.url);
    await raw.connect();
    try {
      const before = await raw.zCard(key);
      await bot.app.service.createContactInvite(
        actorFor("alice@localhost", bot.app.service.policy),
        "alice@localhost/x",
      );
      expect(await raw.zCard(key)).toBe(before + 1);
    } finally {
      raw.destroy();
    }
  });

  it("expired, revoked and made-up tokens get the 404 page", async () => {
    const revoked = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web");
    await bot.app.service.revokeInvite(admin(), inviteId(revoked.invite.token));
    const expiring = await bot.app.service.createAccountInvite(admin(), "admin@localhost/web", { ttlSeconds: 1 });
    for (const url of [revoked.landingUrl, `${webUrl}/invite/madeUpTokenAAAAAAAAAAAAA`]) {
      expect((await new WebVisitor(webUrl).get(url)).status).toBe(404);
    }
    await eventually(async () => expect((await new WebVisitor(webUrl).get(expiring.landingUrl)).status).toBe(404));
  });

  it("an account-and-contact invite makes inviter and invitee mutual contacts (ejabberd's HTTP API)", async () => {
    const { landingUrl } = await bot.app.service.createContactInvite(
      actorFor("alice@localhost", bot.app.service.policy),
      "alice@localhost/phone",
    );
    const done = await register(landingUrl, "ejfriend", "friend-password");
    expect(done.body).toContain("alice@localhost is already in your contacts.");
    const friend = await logIn("ejfriend", "friend-password");
    expect(subscriptionOf(await friend.roster(), "alice@localhost")).toBe("both");
    expect(subscriptionOf(await alice.roster(), "ejfriend@localhost")).toBe("both");
    // The use is told to the inviter exactly once, as on Prosody (the bot records it in the same event stream).
    const botBare = bot.jid.split("/")[0] ?? "";
    const told = await alice.nextMessage({ from: botBare, type: "chat", body: /^ejfriend@localhost /u }, 10_000);
    expect(told.getChildText("body")).toBe("ejfriend@localhost accepted your invite and created an account.");
    // The answer to "help" comes after anything already on its way: a second notice would have arrived by then.
    const help = await alice.ask(botBare, "help", 10_000);
    expect(help.getChildText("body")).toContain("Send me one of these");
    const aboutFriend = alice.received.filter(
      (stanza) => stanza.name === "message" && (stanza.getChildText("body") ?? "").includes("ejfriend@localhost"),
    );
    expect(aboutFriend).toHaveLength(1);
  });

  it("a password reset link sets a new password for that account only", async () => {
    await ejabberd.register("forgets", "old-password");
    const { landingUrl } = await bot.app.service.createPasswordResetInvite(
      admin(),
      "admin@localhost/web",
      "forgets@localhost",
    );
    const visitor = new WebVisitor(webUrl);
    const page = await visitor.get(landingUrl);
    const done = await visitor.submit(page, { password: "new-password", password_again: "new-password" });
    expect(done.body).toContain("Your password was changed");
    expect(await canLogIn(ejabberd.service, "forgets@localhost", "new-password")).toBe(true);
    expect(await canLogIn(ejabberd.service, "forgets@localhost", "old-password")).toBe(false);
    expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(404);
  });

  it("never logs a password", () => {
    const all = bot.logs.join("");
    for (const secret of ["ejnew-password", "racer-pw", "friend-password", "new-password"]) {
      expect(all).not.toContain(secret);
    }
  });
});
