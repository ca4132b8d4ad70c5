/**
 * The policy for users' invites where the bot makes the accounts (ejabberd 23.01): the registration the bot settles
 * records when the account joined (settle.lua, `joined`) and who invited it, so an account made a moment ago is too
 * new to invite new people (INVITE_MIN_ACCOUNT_AGE), and its inviter's whole tree is held to INVITE_TREE_MAX.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { joinedKey } from "../../../src/storage/keys.js";
import { type EjabberdServer, startEjabberd } from "../../helpers/ejabberd-server.js";
import { ejabberdUsers } from "../../helpers/ejabberd-users.js";
import { registerEjabberdAccounts, registerOnPage, startEjabberdWebBot } from "../../helpers/ejabberd-web-bots.js";
import { type RedisServer, startRedis } from "../../helpers/redis-server.js";
import { rawRedisClient } from "../../helpers/scenario.js";
import type { WebBot } from "../../helpers/web-bot.js";
import type { TestUser } from "../../helpers/xmpp-user.js";

let ejabberd: EjabberdServer;
let redis: RedisServer;
let web: WebBot;
const { logIn, stopAll } = ejabberdUsers(() => ejabberd);
const NEWCOMER = "ejpolicy1";

beforeAll(async () => {
  [ejabberd, redis] = await Promise.all([startEjabberd({ admins: ["bot@localhost"] }), startRedis()]);
  await registerEjabberdAccounts(ejabberd);
  web = await startEjabberdWebBot(ejabberd, { redisUrl: redis.botUrl }, "invites", {
    INVITE_MIN_ACCOUNT_AGE: "86400",
    INVITE_TREE_MAX: "2",
  });
});

afterAll(async () => {
  await stopAll();
  await web?.bot.stop();
  await Promise.allSettled([ejabberd?.stop(), redis?.stop()]);
});

async function say(user: TestUser, body: string): Promise<string> {
  return (await user.ask(web.bot.jid, body)).getChildText("body") ?? "";
}

describe("the users' invite policy where the bot makes the accounts", () => {
  let alice: TestUser;

  it("records when an account made on the page joined, and finds it too new to invite new people", async () => {
    const actor = actorFor("alice@localhost", web.bot.app.service.policy);
    const { landingUrl } = await web.bot.app.service.createContactInvite(actor, "alice@localhost/phone");
    const done = await registerOnPage(web.webUrl, landingUrl, NEWCOMER, `${NEWCOMER}-password`);
    expect(done.body).toContain(`Welcome, ${NEWCOMER}@localhost!`);
    const raw = rawRedisClient(redis.url);
    await raw.connect();
    try {
      expect(await raw.zScore(joinedKey("localhost"), `${NEWCOMER}@localhost`)).toBeGreaterThan(Date.now() / 1000 - 60);
    } finally {
      raw.destroy();
    }
    const newcomer = await logIn(NEWCOMER);
    expect(await say(newcomer, "invite")).toMatch(
      /^Sorry, your account is too new to invite new people: an account must be 1 day old first\. You can invite in (1 day|23 hours) \(/u,
    );
  });

  it("holds the inviter's tree to its budget, the account the page made counted", async () => {
    alice = await logIn("alice");
    // The newcomer is 1 of 2: one more invite fits, then none.
    expect(await say(alice, "invite")).toMatch(/^Here is your invite:/u);
    expect(await say(alice, "invite")).toMatch(
      /^Sorry, your invite tree is full: at most 2 accounts may come from the invites of you, whoever invited you, and everyone they brought in/u,
    );
  });
});
