import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { capsVersion } from "../../../src/xmpp/caps.js";
import { Disco, type DiscoNodeProvider } from "../../../src/xmpp/disco.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { fakeXmpp, iq } from "../../helpers/fake-xmpp.js";

const SELF = {
  identities: [{ category: "client", type: "bot", name: "Invites" }],
  features: [NS.discoInfo, NS.commands],
};
const CAPS_NODE = "https://example.org/xmpp-invite-bot";

/** A provider of node "secret" (admins only) and node "open" (one item), like the ad-hoc registry. */
const provider: DiscoNodeProvider = {
  info: (node, from) => {
    if (node === "open") return { identities: [{ category: "automation", type: "command-list" }], features: [] };
    if (node === "secret") return from.startsWith("admin@") ? { identities: [], features: ["x"] } : "forbidden";
    return undefined;
  },
  items: (node, from) => {
    if (node === "open") return [{ jid: "bot@example.org/invites", node: "open#1", name: "One" }];
    if (node === "secret") return from.startsWith("admin@") ? [] : "forbidden";
    return undefined;
  },
};

function disco(): Disco {
  const made = new Disco(SELF, CAPS_NODE);
  made.addProvider(provider);
  return made;
}

const query = (ns: string, node?: string) => xml("query", { xmlns: ns, ...(node === undefined ? {} : { node }) });
const features = (answer: Element) => answer.getChildren("feature").map((f) => f.attrs.var);
const condition = (answer: Element) =>
  answer.name === "error" ? answer.getChildElements().find((c) => c.attrs.xmlns === NS.stanzas)?.name : undefined;

describe("Disco", () => {
  it("announces its caps with the XEP-0115 hash of what disco#info lists", () => {
    const d = disco();
    expect(d.ver).toBe(capsVersion(SELF.identities, SELF.features));
    expect(d.capsElement().attrs).toEqual({ xmlns: NS.caps, hash: "sha-1", node: CAPS_NODE, ver: d.ver });
  });

  it("answers disco#info about itself, and the same for its caps node#ver", () => {
    const d = disco();
    const plain = d.info(query(NS.discoInfo), "alice@example.org/a");
    expect(plain.attrs).toEqual({ xmlns: NS.discoInfo, node: undefined });
    expect(plain.getChild("identity")?.attrs).toEqual({ category: "client", type: "bot", name: "Invites" });
    expect(features(plain)).toEqual(SELF.features);
    const caps = d.info(query(NS.discoInfo, `${CAPS_NODE}#${d.ver}`), "alice@example.org/a");
    expect(caps.attrs.node).toBe(`${CAPS_NODE}#${d.ver}`);
    expect(features(caps)).toEqual(SELF.features);
    expect(condition(d.info(query(NS.discoInfo, `${CAPS_NODE}#stale`), "alice@example.org/a"))).toBe("item-not-found");
  });

  it("asks its providers about other nodes: their answer, forbidden, or item-not-found", () => {
    const d = disco();
    const open = d.info(query(NS.discoInfo, "open"), "alice@example.org/a");
    expect(open.attrs.node).toBe("open");
    expect(open.getChild("identity")?.attrs).toEqual({ category: "automation", type: "command-list" });
    const refused = d.info(query(NS.discoInfo, "secret"), "alice@example.org/a");
    expect(refused.attrs.type).toBe("auth");
    expect(condition(refused)).toBe("forbidden");
    expect(features(d.info(query(NS.discoInfo, "secret"), "admin@example.org/a"))).toEqual(["x"]);
    expect(condition(d.info(query(NS.discoInfo, "nope"), "admin@example.org/a"))).toBe("item-not-found");
  });

  it("answers disco#items: none at the top, the provider's items for its node, forbidden, item-not-found", () => {
    const d = disco();
    const top = d.items(query(NS.discoItems), "alice@example.org/a");
    expect(top.toString()).toBe(`<query xmlns="${NS.discoItems}"/>`);
    const open = d.items(query(NS.discoItems, "open"), "alice@example.org/a");
    expect(open.attrs).toEqual({ xmlns: NS.discoItems, node: "open" });
    expect(open.getChildren("item").map((i) => i.attrs)).toEqual([
      { jid: "bot@example.org/invites", node: "open#1", name: "One" },
    ]);
    expect(condition(d.items(query(NS.discoItems, "secret"), "alice@example.org/a"))).toBe("forbidden");
    expect(d.items(query(NS.discoItems, "secret"), "admin@example.org/a").getChildren("item")).toEqual([]);
    expect(condition(d.items(query(NS.discoItems, "nope"), "alice@example.org/a"))).toBe("item-not-found");
  });

  it("answers both queries through the client's IQ router, for the requester in from", async () => {
    const fake = fakeXmpp();
    disco().attach(fake.client);
    const info = await fake.call(iq("get", "admin@example.org/a", query(NS.discoInfo, "secret")));
    expect(info && features(info)).toEqual(["x"]);
    const items = await fake.call(iq("get", "alice@example.org/a", query(NS.discoItems, "secret")));
    expect(items && condition(items)).toBe("forbidden");
    expect(await fake.call(iq("set", "alice@example.org/a", query(NS.discoInfo)))).toBeUndefined();
  });
});
