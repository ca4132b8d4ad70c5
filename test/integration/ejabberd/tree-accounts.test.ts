/**
 * Invite trees on ejabberd 23.01 (issue 25, point 2), the bot its registration hook and a server admin with
 * ejabberd's HTTP API (EJABBERD_API_URL): a tree of three levels, each account made through the invite page with the
 * invite of the one above, is listed with its pending invites and newest accounts, and its accounts stopped with
 * ejabberd's own `ban_account` (on 23.01 it ends their sessions and sets a random password; ejabberd's XEP-0133
 * commands have no disable-user). 23.01 has no `unban_account`, so `enable` says so; a password reset link reopens
 * an account.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventually } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { ejabberdUsers } from "../../helpers/ejabberd-users.js";
import { registerEjabberdAccounts, registerOnPage, startEjabberdWebBot } from "../../helpers/ejabberd-web-bots.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import type { WebBot } from "../../helpers/web-bot.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { canLogIn, type TestUser } from "../../helpers/xmpp-user.js";

let ejabberd: EjabberdServer;
let redis: RedisServer;
let web: WebBot;
let admin: TestUser;
const { logIn, stopAll } = ejabberdUsers(() => ejabberd);
const [ONE, TWO, THREE] = ["ejtree1", "ejtree2", "ejtree3"];

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: true }), startRedis()]);
  await registerEjabberdAccounts(ejabberd);
  // Trees of accounts made a moment ago: the account-age and chain-pace rules are off here (with the pace, the second
  // level's invite is refused: its inviter joined a moment ago).
  web = await startEjabberdWebBot(ejabberd, { redisUrl: redis.botUrl }, "invites", {
    INVITE_MIN_ACCOUNT_AGE: "0",
    INVITE_CHAIN_PACE: "0",
  });
  admin = await logIn("admin", "admin-password");
});

afterAll(async () => {
  await stopAll();
  await web?.bot.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

async function ask(body: string): Promise<string> {
  return (await admin.ask(web.bot.jid, body)).getChildText("body") ?? "";
}

/** A contact invite of `inviter` (which registers: ALLOW_USER_INVITES), as `invite` in chat makes it. */
async function inviteOf(inviter: string): Promise<string> {
  const actor = actorFor(`${inviter}@localhost`, web.bot.app.service.policy);
  return (await web.bot.app.service.createContactInvite(actor, `${inviter}@localhost/phone`)).landingUrl;
}

describe("an invite tree of three levels on ejabberd", () => {
  let three: TestUser;

  it("is listed with its pending invites and when each account joined", async () => {
    let inviter = "alice";
    for (const name of [ONE, TWO, THREE]) {
      const done = await registerOnPage(web.webUrl, await inviteOf(inviter), name, `${name}-password`);
      expect(done.body).toContain(`Welcome, ${name}@localhost!`);
      inviter = name;
    }
    three = await logIn(THREE);
    for (const inviter of ["alice", ONE, THREE]) await inviteOf(inviter);
    const reply = await eventually(async () => {
      const text = await ask("tree alice@localhost");
      expect(text).toMatch(/\nNewest accounts: .*ejtree3@localhost/u);
      return text;
    });
    const lines = reply.split("\n");
    expect(lines[0]).toBe(
      "Invite tree of alice@localhost (3 accounts, 3 levels deep; 3 pending invites, 1 of them alice@localhost's own):",
    );
    expect(lines[1]).toMatch(/^• ejtree1@localhost — 1 pending — joined \d\d \w{3} \d{4}$/u);
    expect(lines[2]).toMatch(/^ {2}• ejtree2@localhost — joined \d\d \w{3} \d{4}$/u);
    expect(lines[3]).toMatch(/^ {4}• ejtree3@localhost — 1 pending — joined \d\d \w{3} \d{4}$/u);
  });

  it("has its accounts banned with ejabberd's ban_account: they cannot log in, and their sessions end", async () => {
    expect(await ask("disable tree alice@localhost")).toContain(
      "then bans 3 accounts in the tree (not alice@localhost itself) — with ejabberd's ban_account",
    );
    const done = await ask("disable tree alice@localhost confirm");
    expect(done.split("\n").slice(0, 3)).toEqual([
      "Revoked 3 pending invites of alice@localhost and its invite tree.",
      "Banned 3 accounts: ejtree1@localhost, ejtree2@localhost, ejtree3@localhost.",
      "Banned, not disabled: with ejabberd's ban_account: its sessions were ended and it cannot log in (on ejabberd 23.01 by a random password nobody knows, so a password reset link, reset user@domain, reopens it; from 24.06 until enable user@domain).",
    ]);
    for (const name of [ONE, TWO, THREE]) {
      expect(await canLogIn(ejabberd.service, `${name}@localhost`, `${name}-password`)).toBe(false);
    }
    await eventually(async () => expect(three.xmpp.status).not.toBe("online"));
    expect(await canLogIn(ejabberd.service, "alice@localhost", "alice-password")).toBe(true);
    expect(await canLogIn(ejabberd.service, "bot@localhost", "bot-password")).toBe(true);
  });

  it("cannot be unbanned by 23.01, which says so; a password reset link reopens an account", async () => {
    expect(await ask(`enable ${ONE}@localhost`)).toMatch(
      /^ejtree1@localhost was not enabled: ejabberd's API refused unban_account \(HTTP \d+: .*\); ejabberd 24\.06 and later have it; on an older one a password reset link \(reset user@domain\) reopens the account\.$/u,
    );
    const link = /https?:\/\/\S+/u.exec(await ask(`reset ${ONE}@localhost`))?.[0];
    expect(link).toBeDefined();
    const visitor = new WebVisitor(web.webUrl);
    const page = await visitor.get(link as string);
    const done = await visitor.submit(page, { password: "reopened-password", password_again: "reopened-password" });
    expect(done.body).toContain("Your password was changed");
    expect(await canLogIn(ejabberd.service, `${ONE}@localhost`, "reopened-password")).toBe(true);
    expect(await canLogIn(ejabberd.service, `${TWO}@localhost`, `${TWO}-password`)).toBe(false);
  });
});
