/**
 * Approval of accounts made through users' invites (APPROVE_USER_INVITED; issue 25, point 3) against Prosody with our
 * module and Redis, the bot a server admin with mod_admin_adhoc. Each account registers in-band with a user's invite
 * and is held at once: on Prosody 13 disabled (usermanager.disable_user), on 0.12 refused its resource binding (0.12
 * has no disabled accounts: docs/prosody.md, "Approval of accounts"); either way it cannot log in. The admins are
 * asked in chat, the inviter hears it waits; `approve NAME` lets it log in (13: XEP-0133 reenable-user; 0.12: off the
 * list), `reject NAME` deletes it (XEP-0133 delete-user), and the inviter hears the answer. An admin's invite is never
 * held. Runs on whichever Prosody is on PATH (0.12 or 13).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvalsKey } from "../../src/storage/keys.js";
import { tokenOf } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { BOT_IS_SERVER_ADMIN, type Scenario, startScenario } from "../helpers/scenario.js";
import { canLogIn, type TestUser } from "../helpers/xmpp-user.js";

const ON_13 = prosodyMajorVersion() >= 13;
const VERSION = ON_13 ? "13" : "0.12";
const HOST = "localhost";
const WAITING = ON_13 ? "The account is disabled until then." : "The account cannot log in until then.";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;

beforeAll(async () => {
  world = await startScenario(BOT_IS_SERVER_ADMIN);
  bot = await world.startBot("bot", {
    ALLOW_USER_INVITES: "true",
    INVITE_MIN_ACCOUNT_AGE: "0",
    APPROVE_USER_INVITED: "true",
  });
  [admin, alice] = await world.loginAll(["admin@localhost", "alice@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(bot.jid, body)).getChildText("body") ?? "";
}

const passwordOf = (name: string) => `${name}-password`;
const logsIn = (name: string) => canLogIn(world.servers.service, `${name}@${HOST}`, passwordOf(name));

async function registers(token: string, name: string): Promise<boolean> {
  return (await world.registerWithInvite(token, name, passwordOf(name))).register.attrs.type === "result";
}

/** Registers `name` with a fresh invite of alice's, and waits for the admin's question and alice's notice. */
async function heldThroughAlice(name: string): Promise<void> {
  expect(await registers(tokenOf(await ask(alice, "invite")), name)).toBe(true);
  const jid = `${name}@${HOST}`;
  const question = await admin.nextMessage({ from: bot.jid, body: new RegExp(`^${jid} registered through`, "u") });
  expect(question.getChildText("body")).toMatch(
    new RegExp(
      `^${jid} registered through alice@localhost's invite \\([\\w-]{8}\\) and waits for approval\\. ${WAITING}\\n` +
        `Say "approve ${name}" to let them in, or "reject ${name}" to remove the account\\.$`,
      "u",
    ),
  );
  const notice = await alice.nextMessage({
    from: bot.jid,
    body: new RegExp(`^${jid} registered with your invite`, "u"),
  });
  expect(notice.getChildText("body")).toContain("An administrator will look at the new account first");
}

describe(`approval of accounts made through users' invites, Prosody ${VERSION}`, () => {
  it("never holds an account made through an admin's invite", async () => {
    expect(await registers(tokenOf(await ask(admin, "invite")), "adminpal")).toBe(true);
    expect(await logsIn("adminpal")).toBe(true);
    expect(await world.redis.hExists(approvalsKey(HOST), `adminpal@${HOST}`)).toBe(0);
  });

  it("holds an account through a user's invite until an admin approves it, then lets it in and tells the inviter", async () => {
    await heldThroughAlice("heldone");
    expect(await logsIn("heldone")).toBe(false);
    expect(await ask(admin, "approvals")).toMatch(
      new RegExp(
        `^1 waiting for approval:\\n• heldone@localhost through alice@localhost's invite, .+ \\(${ON_13 ? "disabled" : "cannot log in"}\\)\\n`,
        "u",
      ),
    );
    // Users may not answer.
    expect(await ask(alice, "approve heldone")).not.toMatch(/^Approved/u);
    expect(await logsIn("heldone")).toBe(false);

    expect(await ask(admin, "approve heldone")).toBe(
      "Approved heldone@localhost: the account can log in now, and its inviter was told.",
    );
    const outcome = await alice.nextMessage({ from: bot.jid, body: /^heldone@localhost, who registered/u });
    expect(outcome.getChildText("body")).toBe(
      "heldone@localhost, who registered with your invite, was approved by an administrator and can log in now.",
    );
    expect(await logsIn("heldone")).toBe(true);
    expect(await ask(admin, "approvals")).toBe("No account is waiting for approval.");
    // Answered once: a second answer finds nothing to do.
    expect(await ask(admin, "approve heldone")).toBe(
      "heldone@localhost was not approved: it is not waiting for approval (someone answered already, or it never was).",
    );
  });

  it("deletes a held account an admin rejects, and tells the inviter", async () => {
    await heldThroughAlice("heldtwo");
    expect(await logsIn("heldtwo")).toBe(false);
    expect(await ask(admin, "reject heldtwo@localhost")).toBe(
      "Rejected heldtwo@localhost: the account is gone, and its inviter was told.",
    );
    const outcome = await alice.nextMessage({ from: bot.jid, body: /^heldtwo@localhost, who registered/u });
    expect(outcome.getChildText("body")).toBe(
      "heldtwo@localhost, who registered with your invite, was not approved by an administrator; the account was removed.",
    );
    expect(await logsIn("heldtwo")).toBe(false);
    expect(await world.redis.hExists(approvalsKey(HOST), `heldtwo@${HOST}`)).toBe(0);
    // The account is gone: its name registers anew (with an admin's invite, never held), and logs in.
    expect(await registers(tokenOf(await ask(admin, "invite")), "heldtwo")).toBe(true);
    expect(await logsIn("heldtwo")).toBe(true);
  });
});
