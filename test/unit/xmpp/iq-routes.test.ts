/**
 * One IQ route table (issue 21): a route registered once answers a request asked of the bot directly and the same
 * request forwarded by the server (XEP-0355 wrapper from the domain), with the same answer.
 */
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { attachDelegation, delegatedRequester } from "../../../src/xmpp/delegation.js";
import { attachFloodControl } from "../../../src/xmpp/flood-control.js";
import { InFlight } from "../../../src/xmpp/in-flight.js";
import { iqRoutes } from "../../../src/xmpp/iq-routes.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { RateLimiter } from "../../../src/xmpp/rate-limit.js";
import { stanzaError } from "../../../src/xmpp/stanza-error.js";
import { fakeXmpp, iq } from "../../helpers/fake-xmpp.js";
import { offlineClient } from "../../helpers/offline-client.js";

const DOMAIN = "example.org";
const WEATHER = "urn:example:weather";
const silent = createLogger("silent");

/** A new IQ feature: answers for whom it was asked, or item-not-found for the city "nowhere". */
function weather(element: Element, from: string): Element {
  if (element.attrs.city === "nowhere") return stanzaError("cancel", "item-not-found", "No such city");
  return xml("forecast", { xmlns: WEATHER, city: element.attrs.city }, xml("for", {}, from));
}

const ask = (city: string) => xml("forecast", { xmlns: WEATHER, city });

function userIq(from: string, child: Element, type = "get"): Element {
  return xml("iq", { xmlns: NS.client, type, from, to: DOMAIN, id: "u1" }, child);
}

function forwarded(inner: Element, from = DOMAIN): Element {
  return xml(
    "iq",
    { type: "set", from, to: "bot@example.org/invites", id: "f1" },
    xml("delegation", { xmlns: NS.delegation }, xml("forwarded", { xmlns: NS.forward }, inner)),
  );
}

/** The user's reply IQ in the relay's answer: the wrapper itself (fake router), or the IQ that carries it (xmpp.js). */
function innerOf(answer: Element | undefined): Element | undefined {
  const wrapper = answer?.is("delegation", NS.delegation) ? answer : answer?.getChild("delegation", NS.delegation);
  return wrapper?.getChild("forwarded", NS.forward)?.getChild("iq", NS.client);
}

const conditionOf = (error: Element | undefined) =>
  error?.getChildElements().find((child) => child.attrs.xmlns === NS.stanzas)?.name;

describe("the IQ route table", () => {
  it("answers a route registered once both directly and forwarded, with the same answer", async () => {
    const fake = fakeXmpp();
    iqRoutes(fake.client).get(WEATHER, "forecast", weather);
    attachDelegation(fake.client, { domain: DOMAIN, log: silent });

    const direct = await fake.call(iq("get", "alice@example.org/phone", ask("Paris")));
    const relayed = innerOf(await fake.call(forwarded(userIq("alice@example.org/phone", ask("Paris")))));
    expect(direct?.toString()).toBe(
      `<forecast xmlns="${WEATHER}" city="Paris"><for>alice@example.org/phone</for></forecast>`,
    );
    expect(relayed?.attrs).toMatchObject({ type: "result", from: DOMAIN, to: "alice@example.org/phone", id: "u1" });
    expect(relayed?.getChild("forecast", WEATHER)?.toString()).toBe(direct?.toString());

    // Its errors too: the same <error/>, as an error IQ inside the wrapper.
    const directError = await fake.call(iq("get", "alice@example.org/phone", ask("nowhere")));
    const relayedError = innerOf(await fake.call(forwarded(userIq("alice@example.org/phone", ask("nowhere")))));
    expect(relayedError?.attrs.type).toBe("error");
    expect(relayedError?.getChild("error")?.toString()).toBe(directError?.toString());
  });

  it("reaches a route added after the relay was attached, and only with its own type", async () => {
    const fake = fakeXmpp();
    attachDelegation(fake.client, { domain: DOMAIN, log: silent });
    iqRoutes(fake.client).get(WEATHER, "forecast", weather);
    const relayed = innerOf(await fake.call(forwarded(userIq("bob@example.org/x", ask("Oslo")))));
    expect(relayed?.getChild("forecast", WEATHER)?.getChildText("for")).toBe("bob@example.org/x");
    // A set is another route: unknown both ways (xmpp.js answers service-unavailable when no route answers).
    expect(await fake.call(iq("set", "bob@example.org/x", ask("Oslo")))).toBeUndefined();
    const set = innerOf(await fake.call(forwarded(userIq("bob@example.org/x", ask("Oslo"), "set"))));
    expect(set?.attrs.type).toBe("error");
    expect(conditionOf(set?.getChild("error"))).toBe("service-unavailable");
  });

  it("is one per client, and refuses a route registered twice", () => {
    const fake = fakeXmpp();
    expect(iqRoutes(fake.client)).toBe(iqRoutes(fake.client));
    expect(iqRoutes(fakeXmpp().client)).not.toBe(iqRoutes(fake.client));
    iqRoutes(fake.client).get(WEATHER, "forecast", weather).set(WEATHER, "forecast", weather);
    expect(() => iqRoutes(fake.client).get(WEATHER, "forecast", weather)).toThrow(
      `IQ route registered twice: get {${WEATHER}}forecast`,
    );
  });
});

describe("the IQ route table in xmpp.js's middleware chain", () => {
  function bot(burst: number) {
    const chain = offlineClient();
    const inFlight = new InFlight();
    const limiter = new RateLimiter({ burst, perSecond: 0.001 });
    attachFloodControl(
      chain.xmpp,
      limiter,
      inFlight,
      silent,
      (stanza) => delegatedRequester(stanza, DOMAIN) ?? stanza.attrs.from,
    );
    iqRoutes(chain.xmpp).get(WEATHER, "forecast", weather);
    attachDelegation(chain.xmpp, { domain: DOMAIN, log: silent });
    return { ...chain, inFlight };
  }

  it("answers the route asked directly and forwarded, behind the same flood gate for the same user", async () => {
    const { reply } = bot(2);
    const direct = await reply(iq("get", "alice@example.org/phone", ask("Paris")));
    expect(direct.attrs).toMatchObject({ type: "result", to: "alice@example.org/phone", id: "q1" });
    const wrapper = await reply(forwarded(userIq("alice@example.org/laptop", ask("Paris"))));
    expect(wrapper.attrs).toMatchObject({ type: "result", to: DOMAIN, id: "f1" });
    const relayed = innerOf(wrapper);
    expect(relayed?.attrs).toMatchObject({ type: "result", to: "alice@example.org/laptop", id: "u1" });
    expect(relayed?.getChild("forecast", WEATHER)?.getChildText("for")).toBe("alice@example.org/laptop");
    expect(direct.getChild("forecast", WEATHER)?.getChildText("city")).toBe(
      relayed?.getChild("forecast", WEATHER)?.getChildText("city"),
    );

    // Alice has used her two requests, however they came; the domain itself, or bob, are not counted for her.
    const refused = await reply(forwarded(userIq("alice@example.org/laptop", ask("Oslo"))));
    expect(refused.attrs.type).toBe("error");
    expect(conditionOf(refused.getChild("error"))).toBe("resource-constraint");
    expect((await reply(forwarded(userIq("bob@example.org/x", ask("Oslo"))))).attrs.type).toBe("result");
  });

  it("answers a route's error, and a request no route takes, the same both ways", async () => {
    const { reply } = bot(10);
    const direct = await reply(iq("get", "alice@example.org/phone", ask("nowhere")));
    const relayed = innerOf(await reply(forwarded(userIq("alice@example.org/phone", ask("nowhere")))));
    expect(direct.attrs.type).toBe("error");
    expect(relayed?.attrs.type).toBe("error");
    expect(relayed?.getChild("error")?.toString()).toBe(direct.getChild("error")?.toString());

    const roster = () => xml("query", { xmlns: "jabber:iq:roster" });
    const unknown = await reply(iq("get", "alice@example.org/phone", roster()));
    const unknownRelayed = innerOf(await reply(forwarded(userIq("alice@example.org/phone", roster()))));
    expect(conditionOf(unknown.getChild("error"))).toBe("service-unavailable");
    expect(conditionOf(unknownRelayed?.getChild("error"))).toBe("service-unavailable");
  });
});
