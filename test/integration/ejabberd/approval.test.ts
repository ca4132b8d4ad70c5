/**
 * Approval of accounts made through users' invites (APPROVE_USER_INVITED; issue 25, point 3) on ejabberd 23.01, where
 * the bot makes the accounts: a registration on the invite page through a user's invite is held before creation (no
 * account; its password kept encrypted in Redis, its name refused to others meanwhile), and the page says an admin
 * will look at it. The admins are asked in chat and the inviter hears it waits; `approve NAME` creates the account
 * (XEP-0133 add-user, then the inviter's mutual contact through the API) and `reject NAME` drops the registration;
 * the inviter hears the answer either way. An admin's invite is never held.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvalsKey } from "../../../src/storage/keys.js";
import { eventually } from "../../helpers/bot.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { ejabberdUsers } from "../../helpers/ejabberd-users.js";
import { registerEjabberdAccounts, registerOnPage, startEjabberdWebBot } from "../../helpers/ejabberd-web-bots.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { rawRedisClient } from "../../helpers/scenario.js";
import type { WebBot } from "../../helpers/web-bot.js";
import { canLogIn, subscriptionOf, type TestUser } from "../../helpers/xmpp-user.js";

let ejabberd: EjabberdServer;
let redis: RedisServer;
let raw: ReturnType<typeof rawRedisClient>;
let web: WebBot;
let admin: TestUser;
let alice: TestUser;
const { logIn, stopAll } = ejabberdUsers(() => ejabberd);
const HELD_PAGE = "An administrator will look at your new account before you can use it.";

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"], api: true }), startRedis()]);
  await registerEjabberdAccounts(ejabberd);
  web = await startEjabberdWebBot(ejabberd, { redisUrl: redis.botUrl }, "invites", {
    INVITE_MIN_ACCOUNT_AGE: "0",
    APPROVE_USER_INVITED: "true",
  });
  raw = rawRedisClient(redis.url);
  raw.on("error", () => {});
  await raw.connect();
  [admin, alice] = await Promise.all([logIn("admin"), logIn("alice")]);
});

afterAll(async () => {
  await stopAll();
  if (raw?.isOpen) raw.destroy();
  await web?.bot.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(web.bot.jid, body)).getChildText("body") ?? "";
}

/** The landing page of a new invite of `user`'s, as `invite` in chat answers it. */
async function inviteOf(user: TestUser): Promise<string> {
  const reply = await ask(user, "invite");
  const url = /(http:\/\/\S+\/invite\/[\w-]{24})/u.exec(reply)?.[1];
  if (url === undefined) throw new Error(`no landing page in: ${reply}`);
  return url;
}

const logsIn = (name: string) => canLogIn(ejabberd.service, `${name}@localhost`, `${name}-password`);

/** `name` registers on the page of a new invite of alice's: held, the admin asked, alice told. */
async function heldThroughAlice(name: string): Promise<void> {
  const page = await registerOnPage(web.webUrl, await inviteOf(alice), name, `${name}-password`);
  expect(page.status).toBe(200);
  expect(page.body).toContain(`Welcome, ${name}@localhost!`);
  expect(page.body).toContain(HELD_PAGE);
  expect(page.body).not.toContain("is already in your contacts");
  const jid = `${name}@localhost`;
  const question = await admin.nextMessage({ from: web.bot.jid, body: new RegExp(`^${jid} registered through`, "u") });
  expect(question.getChildText("body")).toMatch(
    new RegExp(
      `^${jid} registered through alice@localhost's invite \\([\\w-]{8}\\) and waits for approval\\. ` +
        `The account is made only if approved\\.\\nSay "approve ${name}" to let them in, or "reject ${name}" to remove the account\\.$`,
      "u",
    ),
  );
  await alice.nextMessage({ from: web.bot.jid, body: new RegExp(`^${jid} registered with your invite`, "u") });
}

describe("approval of accounts made through users' invites on ejabberd (the bot makes the accounts)", () => {
  it("holds the registration before creation, keeps its name, and creates the account when an admin approves", async () => {
    await heldThroughAlice("ejheld1");
    expect(await logsIn("ejheld1")).toBe(false);
    // Kept encrypted: the password is nowhere in the entry.
    const entry = (await raw.hGet(approvalsKey("localhost"), "ejheld1@localhost")) ?? "";
    expect(entry).toContain('"held":"pending"');
    expect(entry).not.toContain("ejheld1-password");
    // The name is taken meanwhile: another invite cannot register it, and keeps its use.
    const other = await inviteOf(alice);
    const refused = await registerOnPage(web.webUrl, other, "ejheld1", "another-password");
    expect(refused.body).toContain("This username is already taken.");

    expect(await ask(admin, "approve ejheld1")).toBe(
      "Approved ejheld1@localhost: the account can log in now, and its inviter was told.",
    );
    const outcome = await alice.nextMessage({ from: web.bot.jid, body: /^ejheld1@localhost, who registered/u });
    expect(outcome.getChildText("body")).toBe(
      "ejheld1@localhost, who registered with your invite, was approved by an administrator and can log in now.",
    );
    expect(await logsIn("ejheld1")).toBe(true);
    // Made as the registration would have made it: alice and the newcomer are mutual contacts (ejabberd's API).
    await eventually(async () => expect(subscriptionOf(await alice.roster(), "ejheld1@localhost")).toBe("both"));
    expect(await raw.hExists(approvalsKey("localhost"), "ejheld1@localhost")).toBe(0);
    // The other invite still works.
    expect((await registerOnPage(web.webUrl, other, "ejafter", "ejafter-password")).body).toContain(HELD_PAGE);
  });

  it("drops a held registration an admin rejects, tells the inviter, and frees the name", async () => {
    await heldThroughAlice("ejheld2");
    expect(await ask(admin, "approvals")).toMatch(
      /• ejheld2@localhost through alice@localhost's invite, .+ \(not made yet\)/u,
    );
    expect(await ask(admin, "reject ejheld2")).toBe(
      "Rejected ejheld2@localhost: the account is gone, and its inviter was told.",
    );
    const outcome = await alice.nextMessage({ from: web.bot.jid, body: /^ejheld2@localhost, who registered/u });
    expect(outcome.getChildText("body")).toBe(
      "ejheld2@localhost, who registered with your invite, was not approved by an administrator; the account was removed.",
    );
    expect(await logsIn("ejheld2")).toBe(false);
    // An admin's invite is never held: the name registers at once, and logs in.
    const page = await registerOnPage(web.webUrl, await inviteOf(admin), "ejheld2", "ejheld2-password");
    expect(page.body).toContain("Welcome, ejheld2@localhost!");
    expect(page.body).not.toContain(HELD_PAGE);
    expect(await logsIn("ejheld2")).toBe(true);
  });
});
