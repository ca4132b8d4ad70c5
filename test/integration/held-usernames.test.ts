/**
 * Usernames held for bound invites (issue 25 point 4) on Prosody with our module, 0.12 and 13: while an invite bound
 * to a name is pending, another invite cannot register that name, in-band (our module: `cancel`/`conflict`) or on the
 * bot's web page (the message at the username field); the bound invite itself registers it, and once it is revoked or
 * expired the name is free again. A second bound invite for a held name is refused (service, chat, ad-hoc).
 */
import { type Element, xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT } from "../../src/commands/invite-commands.js";
import { InviteError } from "../../src/errors.js";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { forUsernameKey } from "../../src/storage/keys.js";
import { errorOf, NS_COMMANDS } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { uniqueName } from "../helpers/names.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import { startWebBot } from "../helpers/web-bot.js";
import { type WebPage, WebVisitor } from "../helpers/web-client.js";
import { textOf } from "../helpers/web-form.js";
import { canLogIn, type TestUser } from "../helpers/xmpp-user.js";

/** The lifetime of the bound invite that expires in a test below. */
const HOLD_SECONDS = 8;

const ON_13 = prosodyMajorVersion() >= 13;
const HELD_ON_PAGE = "This username is kept for someone who was invited by name. Please choose another one.";

let world: Scenario;
let bot: TestBot;
let webUrl: string;
let admin: TestUser;

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
  [admin] = await world.loginAll(["admin@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

function adminActor() {
  return actorFor("admin@localhost", bot.app.service.policy);
}

/** An account invite made by the admin, bound to `username` when given; its token and landing page. */
async function invite(options: { username?: string; ttlSeconds?: number } = {}) {
  const created = await bot.app.service.createAccountInvite(adminActor(), "admin@localhost/tests", options);
  return { token: created.invite.token, landingUrl: created.landingUrl };
}

async function submit(landingUrl: string, username: string): Promise<WebPage> {
  const visitor = new WebVisitor(webUrl);
  const form = await visitor.follow(await visitor.get(landingUrl), "create-account");
  return visitor.submit(form, { username, password: "hd-password", password_again: "hd-password" });
}

function heldError(username: string) {
  return { type: "cancel", condition: "conflict", text: `The username ${username} is held for another invite` };
}

describe(`usernames held for bound invites, Prosody ${ON_13 ? "13" : "0.12"}`, () => {
  it("refuses a held name to another invite in-band, keeps that invite usable, and lets the bound invite have it", async () => {
    const name = uniqueName("held");
    const bound = await invite({ username: name });
    const open = await invite();

    const refused = await world.registerWithInvite(open.token, name);
    expect(refused.preauth.attrs.type).toBe("result");
    expect(errorOf(refused.register)).toMatchObject(heldError(name));
    // Any spelling the server folds to the same name is the same name.
    expect(errorOf((await world.registerWithInvite(open.token, name.toUpperCase())).register)).toMatchObject({
      condition: "conflict",
    });
    expect(await canLogIn(world.servers.service, `${name}@localhost`, `${name}-pw`)).toBe(false);

    // The open invite was not used: it registers another name.
    const other = uniqueName("free");
    expect((await world.registerWithInvite(open.token, other)).register.attrs.type).toBe("result");
    expect(await canLogIn(world.servers.service, `${other}@localhost`, `${other}-pw`)).toBe(true);

    // The bound invite registers its own name.
    expect((await world.registerWithInvite(bound.token, name)).register.attrs.type).toBe("result");
    expect(await canLogIn(world.servers.service, `${name}@localhost`, `${name}-pw`)).toBe(true);
  });

  it("holds the name of a contact invite that registers (roster-subscription), which then leaves the index", async () => {
    const name = uniqueName("contact");
    const bound = await bot.app.service.createAccountInvite(adminActor(), "admin@localhost/tests", {
      username: name,
      rosterSubscription: true,
    });
    expect(bound.invite.type).toBe("roster");
    expect(await world.redis.zCard(forUsernameKey("localhost", name))).toBe(1);
    const open = await invite();
    expect(errorOf((await world.registerWithInvite(open.token, name)).register)).toMatchObject(heldError(name));

    expect((await world.registerWithInvite(bound.invite.token, name)).register.attrs.type).toBe("result");
    // The module's claim removed it from every index it is in (prosody/invites_redis_keys.lib.lua, bound_local_of).
    expect(await world.redis.exists(forUsernameKey("localhost", name))).toBe(0);
  });

  it("shows the refusal on the web page next to the username, and the invite then registers another name", async () => {
    const name = uniqueName("paged");
    await invite({ username: name });
    const open = await invite();

    const page = await submit(open.landingUrl, name);
    expect(page.status).toBe(409);
    expect(textOf(page.body, { id: "username-error" })).toBe(HELD_ON_PAGE);
    expect(await canLogIn(world.servers.service, `${name}@localhost`, "hd-password")).toBe(false);

    const other = uniqueName("chosen");
    expect((await submit(open.landingUrl, other)).status).toBe(200);
    expect(await canLogIn(world.servers.service, `${other}@localhost`, "hd-password")).toBe(true);
  });

  it("frees the name when the bound invite is revoked", async () => {
    const name = uniqueName("revoked");
    const bound = await invite({ username: name });
    const open = await invite();
    expect(errorOf((await world.registerWithInvite(open.token, name)).register)).toMatchObject(heldError(name));

    await bot.app.service.revokeInvite(adminActor(), inviteId(bound.token));
    expect((await world.registerWithInvite(open.token, name)).register.attrs.type).toBe("result");
    expect(await canLogIn(world.servers.service, `${name}@localhost`, `${name}-pw`)).toBe(true);
  });

  it("frees the name when the bound invite expires", async () => {
    const name = uniqueName("expired");
    // Long enough that the name is still held when the other invite tries it, on a loaded machine too.
    await invite({ username: name, ttlSeconds: HOLD_SECONDS });
    const open = await invite();
    expect(errorOf((await world.registerWithInvite(open.token, name)).register)).toMatchObject(heldError(name));

    // Each refused try leaves the open invite as it was; the first after the expiry registers.
    await eventually(
      async () => expect((await world.registerWithInvite(open.token, name)).register.attrs.type).toBe("result"),
      (HOLD_SECONDS + 10) * 1000,
      250,
    );
    expect(await canLogIn(world.servers.service, `${name}@localhost`, `${name}-pw`)).toBe(true);
  });

  it("holds nothing for a password reset link: its account exists, and registering it is Prosody's own conflict", async () => {
    const name = uniqueName("resetme");
    await world.servers.prosody.register(name, "localhost", "old-password");
    await bot.app.service.createPasswordResetInvite(adminActor(), "admin@localhost/tests", `${name}@localhost`);
    const open = await invite();
    expect(errorOf((await world.registerWithInvite(open.token, name)).register)).toMatchObject({
      condition: "conflict",
      text: "The requested username already exists.",
    });
    // A bound invite for a name whose only pending invite is a reset link is not refused as held.
    await expect(invite({ username: name })).resolves.toMatchObject({ token: expect.any(String) });
  });

  it("refuses a second bound invite for a held name: service, chat and ad-hoc", async () => {
    const name = uniqueName("twice");
    await invite({ username: name });
    const refused = await invite({ username: name }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InviteError);
    expect(refused).toMatchObject({ code: "username-held-by-invite", params: { username: name } });

    const answer = await admin.ask(bot.jid, `invite account for ${name}`);
    expect(answer.getChildText("body")).toBe(
      `Sorry, nothing was created: a pending invite is already bound to ${name}. Revoke it first, or wait until it is used or expires.`,
    );

    const start = (
      await admin.requestRaw(
        xml(
          "iq",
          { type: "set", to: bot.jid },
          xml("command", { xmlns: NS_COMMANDS, node: ACCOUNT, action: "execute" }),
        ),
      )
    ).getChild("command", NS_COMMANDS) as Element;
    const done = await admin.requestRaw(
      xml(
        "iq",
        { type: "set", to: bot.jid },
        xml(
          "command",
          { xmlns: NS_COMMANDS, node: ACCOUNT, sessionid: start.attrs.sessionid ?? "", action: "complete" },
          xml(
            "x",
            { xmlns: "jabber:x:data", type: "submit" },
            xml("field", { var: "username" }, xml("value", {}, name)),
          ),
        ),
      ),
    );
    expect(errorOf(done)).toMatchObject({
      condition: "conflict",
      text: `A pending invite is already bound to the username ${name}`,
    });
  });
});
