import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { attachFloodControl } from "../../../src/xmpp/flood-control.js";
import { InFlight } from "../../../src/xmpp/in-flight.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { RateLimiter } from "../../../src/xmpp/rate-limit.js";

type Middleware = (ctx: { stanza: Element }, next: () => unknown) => unknown;

/** The gate as xmpp.js would run it: `pass(stanza)` is what comes of it, "routed" when it let the stanza through. */
function gate(options: { burst?: number; requesterOf?: (stanza: Element) => string | undefined } = {}) {
  let middleware: Middleware | undefined;
  const client = { middleware: { use: (fn: Middleware) => (middleware = fn) } } as unknown as Client;
  const logs: string[] = [];
  const inFlight = new InFlight();
  const limiter = new RateLimiter({ burst: options.burst ?? 2, perSecond: 1, now: () => 1_000_000 });
  const log = createLogger("debug", { write: (line: string) => logs.push(line) });
  attachFloodControl(client, limiter, inFlight, log, options.requesterOf);
  const pass = async (stanza: Element) => {
    if (middleware === undefined) throw new Error("no middleware");
    return middleware({ stanza }, () => Promise.resolve("routed"));
  };
  return { pass, logs, inFlight };
}

const request = (from: string | undefined, type = "get") =>
  xml("iq", { type, id: "1", ...(from === undefined ? {} : { from }) }, xml("query", { xmlns: NS.discoInfo }));
const conditionOf = (answer: unknown) =>
  (answer as Element).getChildElements().find((c) => c.attrs.xmlns === NS.stanzas)?.name;

describe("attachFloodControl", () => {
  it("lets a requester's IQ requests through up to the burst, then answers resource-constraint", async () => {
    const { pass, logs } = gate();
    expect(await pass(request("alice@example.org/a"))).toBe("routed");
    expect(await pass(request("Alice@example.org/b", "set"))).toBe("routed");
    const refused = (await pass(request("alice@example.org/a"))) as Element;
    expect(refused.attrs.type).toBe("wait");
    expect(conditionOf(refused)).toBe("resource-constraint");
    expect(refused.getChildText("text", NS.stanzas)).toBe(
      "You are sending requests too fast; please wait 1 second and try again.",
    );
    // Everyone else is served as usual; the flood is logged once, by bare JID.
    expect(await pass(request("bob@example.org/a"))).toBe("routed");
    await pass(request("alice@example.org/a"));
    expect(logs.filter((line) => line.includes("Rate-limiting a requester"))).toEqual([
      expect.stringContaining("from=alice@example.org"),
    ]);
  });

  it("leaves alone what is not a request: results, errors, messages, stanzas without a sender", async () => {
    const { pass } = gate({ burst: 1 });
    for (const stanza of [
      request("alice@example.org/a", "result"),
      request("alice@example.org/a", "error"),
      xml("message", { from: "alice@example.org/a" }),
      request(undefined),
      request(undefined),
    ]) {
      expect(await pass(stanza)).toBe("routed");
    }
    expect(await pass(request("alice@example.org/a"))).toBe("routed");
  });

  it("counts a forwarded request against the user it is for", async () => {
    const requesterOf = (stanza: Element) => stanza.attrs["on-behalf-of"] ?? stanza.attrs.from;
    const { pass } = gate({ burst: 1, requesterOf });
    const forwarded = (user: string) => {
      const stanza = request("example.org");
      stanza.attrs["on-behalf-of"] = user;
      return stanza;
    };
    expect(await pass(forwarded("alice@example.org"))).toBe("routed");
    expect(await pass(forwarded("bob@example.org"))).toBe("routed");
    expect(conditionOf(await pass(forwarded("alice@example.org")))).toBe("resource-constraint");
  });

  it("follows admitted requests, and tells new ones to come back while stopping", async () => {
    const { pass, inFlight } = gate();
    const answered = pass(request("alice@example.org/a"));
    expect(inFlight.size).toBe(1);
    await answered;
    expect(inFlight.size).toBe(0);
    await inFlight.drain(10);
    const refused = (await pass(request("bob@example.org/a"))) as Element;
    expect(refused.attrs.type).toBe("wait");
    expect(conditionOf(refused)).toBe("service-unavailable");
    expect(refused.getChildText("text", NS.stanzas)).toBe("The bot is restarting; please try again in a moment.");
  });
});
