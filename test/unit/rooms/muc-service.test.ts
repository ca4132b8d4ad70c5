import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { mucServiceFinder } from "../../../src/rooms/muc-service.js";

/** A server whose disco#items lists `items`, each with its identities. */
function server(items: Record<string, readonly [string, string][]>) {
  const asked: string[] = [];
  const request = async (iq: Element): Promise<Element> => {
    const ns = iq.getChild("query")?.attrs.xmlns ?? "";
    asked.push(`${ns.endsWith("items") ? "items" : "info"} ${iq.attrs.to}`);
    if (ns.endsWith("items")) {
      return xml("iq", { type: "result" }, xml("query", {}, ...Object.keys(items).map((jid) => xml("item", { jid }))));
    }
    const identities = items[String(iq.attrs.to)] ?? [];
    return xml(
      "iq",
      { type: "result" },
      xml("query", {}, ...identities.map(([category, type]) => xml("identity", { category, type }))),
    );
  };
  return { request, asked };
}

const log = createLogger("silent");

describe("mucServiceFinder", () => {
  it("finds the item that is a text conference service (XEP-0030, XEP-0045 §6.1), once", async () => {
    const { request, asked } = server({
      "upload.example.org": [["store", "file"]],
      "irc.example.org": [["conference", "irc"]],
      "Conference.example.org": [["conference", "text"]],
    });
    const find = mucServiceFinder({ configured: undefined, domain: "example.org", request, log });
    expect(await find()).toBe("conference.example.org");
    expect(await find()).toBe("conference.example.org");
    expect(asked).toEqual([
      "items example.org",
      "info upload.example.org",
      "info irc.example.org",
      "info Conference.example.org",
    ]);
  });

  it("answers undefined when there is none, and asks again next time", async () => {
    const { request, asked } = server({ "pubsub.example.org": [["pubsub", "service"]] });
    const find = mucServiceFinder({ configured: undefined, domain: "example.org", request, log });
    expect(await find()).toBeUndefined();
    expect(await find()).toBeUndefined();
    expect(asked.filter((line) => line.startsWith("items"))).toHaveLength(2);
  });

  it("takes MUC_SERVICE as it is, asking nothing", async () => {
    const { request, asked } = server({});
    const find = mucServiceFinder({ configured: "rooms.example.net", domain: "example.org", request, log });
    expect(await find()).toBe("rooms.example.net");
    expect(asked).toEqual([]);
  });
});
