/**
 * The bot as the registration hook on ejabberd (docs/servers.md) with its store on a three-master Redis Cluster
 * (docs/redis.md; issue 24): the registration suite of the Prosody side (test/integration/cluster-registration.test.ts)
 * as it runs where the bot makes the accounts (test/integration/ejabberd/registration.test.ts): an account invite
 * registered on the web page with its use event, an account-and-contact invite that makes mutual contacts and is
 * told to the inviter once, XEP-0379 as ejabberd 23.01 has it (no pre-approval: the token reaches the bot when an
 * existing account joins a circle, and a contact-only invite's request is an ordinary one), 20 racers on one
 * single-use invite, and a reusable invite's cap. Every claim, record and use event is a script or MULTI on the
 * host's one slot (`{localhost}`), here on a real cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { InviteService } from "../../../src/invites/service.js";
import { eventsKey, pendingKey, recordKey } from "../../../src/storage/keys.js";
import { tokenHash } from "../../../src/storage/record.js";
import { tokenOf } from "../../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../../helpers/bot.js";
import { type EjabberdOnCluster, startEjabberdOnCluster } from "../../helpers/ejabberd-cluster.js";
import { registerOnPage, startEjabberdWebBot } from "../../helpers/ejabberd-web-bots.js";
import { WebVisitor } from "../../helpers/web-client.js";
import { textOf } from "../../helpers/web-form.js";
import { canLogIn, connectUser, subscribeWithInvite, subscriptionOf, type TestUser } from "../../helpers/xmpp-user.js";

const BOT = "bot@localhost";
let world: EjabberdOnCluster;
let bot: TestBot;
let webUrl: string;
const users: TestUser[] = [];

beforeAll(async () => {
  world = await startEjabberdOnCluster();
  ({ bot, webUrl } = await startEjabberdWebBot(world.ejabberd, world.store));
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(users.map((user) => user.stop()));
  await bot?.stop();
  await world?.stop();
});

async function logIn(username: string, password = `${username}-password`): Promise<TestUser> {
  const user = await connectUser({
    service: world.ejabberd.service,
    domain: "localhost",
    username,
    password,
    timeoutMs: 5_000,
  });
  users.push(user);
  return user;
}

const actor = (jid: string) => actorFor(jid, bot.app.service.policy);

/** The use events of the host's stream on the cluster that name `invitee`. */
async function eventsFor(invitee: string): Promise<Record<string, string>[]> {
  const entries = await world.raw.xRange(eventsKey("localhost"), "-", "+");
  return entries.map((entry) => entry.message).filter((message) => message.invitee === invitee);
}

describe("on ejabberd with the bot's store on a Redis Cluster", () => {
  it("the bot reaches the cluster through REDIS_CLUSTER_NODES alone", () => {
    expect(bot.config.redis).toHaveProperty("cluster");
    expect(bot.config.redis).not.toHaveProperty("url");
    expect(bot.logs.join("")).toContain(`redis cluster ${world.cluster.nodes.split(",")[0]}`);
  });

  it("an account invite registers on the web page once, and its use event is handled", async () => {
    const { invite, landingUrl } = await bot.app.service.createAccountInvite(
      actor("admin@localhost"),
      "admin@localhost/web",
    );
    const hash = tokenHash(tokenOf(invite.uri));
    // The record and its index are on the master that holds the host's slot.
    expect(await world.raw.exists(recordKey("localhost", hash))).toBe(1);
    expect(await world.raw.zScore(pendingKey("localhost"), hash)).not.toBeNull();
    const handled = bot.events.waitFor("use-handled", {
      matches: ({ event }) => event.invite === inviteId(invite.token),
    });
    const done = await registerOnPage(webUrl, landingUrl, "clnew", "clnew-password");
    expect(done.status).toBe(200);
    expect(done.body).toContain("Welcome, clnew@localhost!");
    expect((await handled).event).toMatchObject({ kind: "registered", invitee: "clnew@localhost" });
    expect(await canLogIn(world.ejabberd.service, "clnew@localhost", "clnew-password")).toBe(true);
    expect(await world.raw.exists(recordKey("localhost", hash))).toBe(0);
    expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(404);
    expect((await bot.app.service.relationsOf(actor("admin@localhost"), "clnew@localhost")).invitedBy).toBe(
      "admin@localhost",
    );
  });

  it("an account-and-contact invite makes mutual contacts, and the inviter is told once", async () => {
    const alice = await logIn("alice");
    const { landingUrl } = await bot.app.service.createContactInvite(actor("alice@localhost"), "alice@localhost/phone");
    const done = await registerOnPage(webUrl, landingUrl, "clfriend", "clfriend-password");
    expect(done.body).toContain("alice@localhost is already in your contacts.");
    const friend = await logIn("clfriend", "clfriend-password");
    expect(subscriptionOf(await friend.roster(), "alice@localhost")).toBe("both");
    expect(subscriptionOf(await alice.roster(), "clfriend@localhost")).toBe("both");
    const told = await alice.nextMessage({ from: BOT, type: "chat", body: /^clfriend@localhost /u }, 10_000);
    expect(told.getChildText("body")).toBe("clfriend@localhost accepted your invite and created an account.");
    // The answer to "help" comes after anything already on its way: a second notice would have arrived by then.
    expect((await alice.ask(BOT, "help", 10_000)).getChildText("body")).toContain("Send me one of these");
    const aboutFriend = alice.received.filter(
      (stanza) => stanza.name === "message" && (stanza.getChildText("body") ?? "").includes("clfriend@localhost"),
    );
    expect(aboutFriend).toHaveLength(1);
    expect(await eventsFor("clfriend@localhost")).toEqual([
      expect.objectContaining({ kind: "registered", inviter: "alice@localhost" }),
    ]);
  });

  it("XEP-0379 as ejabberd has it: an existing account's token to the bot joins a circle once", async () => {
    await bot.app.circles.create(actor("admin@localhost"), "Cluster friends", { members: ["alice@localhost"] });
    const { invite } = await bot.app.service.createAccountInvite(actor("admin@localhost"), "admin@localhost/web", {
      circles: ["Cluster friends"],
    });
    const bob = await logIn("bob");
    await subscribeWithInvite(bob, BOT, tokenOf(invite.uri));
    await bob.nextPresence({ from: BOT, type: "subscribed" }, 10_000);
    await eventually(async () =>
      expect(await eventsFor("bob@localhost")).toEqual([
        expect.objectContaining({ kind: "joined", inviter: "admin@localhost" }),
      ]),
    );
    expect(subscriptionOf(await bob.roster(), "alice@localhost")).toBe("both");
    // Used up: the record is gone from the cluster.
    expect(await world.raw.exists(recordKey("localhost", tokenHash(tokenOf(invite.uri))))).toBe(0);
  });

  it("a contact-only invite: its page says the request is an ordinary one, and it reaches the inviter as one", async () => {
    const contactOnly = new InviteService({
      store: bot.app.store,
      policy: { ...bot.app.service.policy, allowUserInvites: false },
      ttlSeconds: 3600,
      invitePage: `${webUrl}/invite/{token}`,
    });
    const { invite, landingUrl } = await contactOnly.createContactInvite(
      actor("alice@localhost"),
      "alice@localhost/phone",
    );
    const page = await new WebVisitor(webUrl).get(landingUrl);
    expect(page.status).toBe(200);
    expect(textOf(page.body, { className: "no-preapproval" })).toBe(
      "This server does not add contacts by itself: your request reaches alice@localhost as an ordinary contact request, which they accept.",
    );
    const alice = await logIn("alice");
    await world.ejabberd.register("carl", "carl-password");
    const carl = await logIn("carl");
    await subscribeWithInvite(carl, "alice@localhost", tokenOf(invite.uri));
    await alice.nextPresence({ from: "carl@localhost", type: "subscribe" }, 10_000);
    expect(subscriptionOf(await alice.roster(), "carl@localhost")).not.toBe("from");
  });

  it("20 racers on one single-use invite make exactly one account", async () => {
    const { landingUrl } = await bot.app.service.createAccountInvite(actor("admin@localhost"), "admin@localhost/web");
    const visitors = Array.from({ length: 20 }, () => new WebVisitor(webUrl));
    const forms = await Promise.all(
      visitors.map(async (visitor) => visitor.follow(await visitor.get(landingUrl), "create-account")),
    );
    const answers = await Promise.all(
      forms.map((form, i) =>
        visitors[i]?.submit(form, { username: `clracer${i}`, password: "racer-pw", password_again: "racer-pw" }),
      ),
    );
    expect(answers.filter((page) => page?.status === 200)).toHaveLength(1);
    expect(answers.filter((page) => page?.status === 410 || page?.status === 404)).toHaveLength(19);
    const accounts = await world.ejabberd.registeredUsers();
    expect(accounts.filter((name) => name.startsWith("clracer"))).toHaveLength(1);
  });

  it("a reusable invite makes as many accounts as its cap, then is gone", async () => {
    const { invite, landingUrl } = await bot.app.service.createAccountInvite(
      actor("admin@localhost"),
      "admin@localhost/web",
      {
        maxUses: 3,
      },
    );
    for (const i of [1, 2, 3]) {
      expect((await registerOnPage(webUrl, landingUrl, `clclub${i}`, "club-password")).status).toBe(200);
    }
    expect((await new WebVisitor(webUrl).get(landingUrl)).status).toBe(404);
    const accounts = await world.ejabberd.registeredUsers();
    expect(accounts.filter((name) => name.startsWith("clclub")).sort()).toEqual(["clclub1", "clclub2", "clclub3"]);
    const uses = (await world.raw.xRange(eventsKey("localhost"), "-", "+")).filter(
      (entry) => entry.message.invite === inviteId(invite.token),
    );
    expect(uses).toHaveLength(3);
  });
});
