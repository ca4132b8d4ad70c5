/** Presence, subscriptions, disco and caps against a real Prosody (issue 2 point 3). */
import { xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capsVersion } from "../../src/xmpp/caps.js";
import { discoInfoIq, errorOf, NS_DISCO_INFO } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const NS_CAPS = "http://jabber.org/protocol/caps";
const BOT = "bot@localhost";

let world: Scenario;
let bot: TestBot;
let alice: TestUser;
let eve: TestUser;
let boss: TestUser;

beforeAll(async () => {
  world = await startScenario();
  bot = await world.startBot("bot");
  [alice, eve, boss] = await world.loginAll(["alice@localhost", "eve@other.localhost", "boss@other.localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

/** Asks for the bot's presence the way a client does when adding a contact. */
async function subscribe(user: TestUser): Promise<void> {
  await user.send(xml("presence", { to: BOT, type: "subscribe" }));
}

describe("presence subscriptions", () => {
  it("accepts a local user, subscribes back, and is then seen online with caps", async () => {
    await subscribe(alice);
    await alice.nextPresence({ from: BOT, type: "subscribed" });
    await alice.nextPresence({ from: BOT, type: "subscribe" });
    await alice.send(xml("presence", { to: BOT, type: "subscribed" }));
    const online = await alice.nextPresence({ from: bot.jid, type: "available" });
    expect(online.getChildText("status")).toBe('Send me "help" to get an invite link');
    const caps = online.getChild("c", NS_CAPS);
    expect(caps?.attrs).toMatchObject({ hash: "sha-1", node: expect.stringMatching(/^https:\/\//u) });

    const roster = await alice.roster();
    const item = roster.getChildren("item").find((i) => i.attrs.jid === BOT);
    expect(item?.attrs.subscription).toBe("both");
  });

  it("accepts an admin of another domain", async () => {
    await subscribe(boss);
    await boss.nextPresence({ from: BOT, type: "subscribed" });
    await boss.nextPresence({ from: BOT, type: "subscribe" });
  });

  it("refuses a user of another domain", async () => {
    await subscribe(eve);
    await eve.nextPresence({ from: BOT, type: "unsubscribed" });
  });
});

describe("service discovery and caps", () => {
  it("answers disco#info as a client/bot with the commands, disco and caps features", async () => {
    const query = (await alice.request(discoInfoIq(bot.jid))).getChild("query", NS_DISCO_INFO);
    expect(query?.getChild("identity")?.attrs).toMatchObject({ category: "client", type: "bot" });
    const features = query?.getChildren("feature").map((f) => f.attrs.var) ?? [];
    expect(features).toEqual(
      expect.arrayContaining([
        "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/commands",
        "http://jabber.org/protocol/caps",
      ]),
    );
  });

  it("advertises a caps hash that matches its disco#info, and answers the caps node", async () => {
    await alice.send(xml("presence", { to: BOT, type: "probe" }));
    const query = (await alice.request(discoInfoIq(bot.jid))).getChild("query", NS_DISCO_INFO);
    const identities = (query?.getChildren("identity") ?? []).map((i) => ({
      category: i.attrs.category ?? "",
      type: i.attrs.type ?? "",
      name: i.attrs.name,
    }));
    const features = (query?.getChildren("feature") ?? []).map((f) => f.attrs.var ?? "");
    const presence = alice.received.find((s) => s.is("presence") && s.attrs.from === bot.jid && s.getChild("c"));
    const caps = presence?.getChild("c", NS_CAPS);
    expect(caps?.attrs.ver).toBe(capsVersion(identities, features));

    const byNode = await alice.request(discoInfoIq(bot.jid, `${caps?.attrs.node}#${caps?.attrs.ver}`));
    expect(byNode.getChild("query")?.getChildren("feature")).toHaveLength(features.length);
  });

  it("answers software version and ping", async () => {
    const version = await alice.request(
      xml("iq", { type: "get", to: bot.jid }, xml("query", { xmlns: "jabber:iq:version" })),
    );
    expect(version.getChild("query")?.getChildText("name")).toBe("xmpp-invite-bot");
    const pong = await alice.requestRaw(
      xml("iq", { type: "get", to: bot.jid }, xml("ping", { xmlns: "urn:xmpp:ping" })),
    );
    expect(pong.attrs.type).toBe("result");
  });

  it("answers service-unavailable for a query it does not support", async () => {
    const reply = await alice.requestRaw(xml("iq", { type: "get", to: bot.jid }, xml("query", { xmlns: "urn:nope" })));
    expect(errorOf(reply).condition).toBe("service-unavailable");
  });
});
