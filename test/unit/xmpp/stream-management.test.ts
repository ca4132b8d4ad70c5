/**
 * The bot enables stream management without resumption (src/xmpp/stream-management.ts): `resume` comes off the
 * `<enable/>` it sends alone (XEP-0198 §3) and inline in SASL2 (XEP-0386), and nothing else it sends changes; and
 * its counts stay right where @xmpp/stream-management 0.14 lost them, which made Prosody 13 close the bot's stream.
 */
import type { EventEmitter } from "node:events";
import { type Client, client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { ackOnlyStreamManagement, withoutResumption } from "../../../src/xmpp/stream-management.js";

const NS_SM = "urn:xmpp:sm:3";

/** A stand-in for the client: only `send`, which records what went out. */
function fakeClient(): { client: Client; sent: Element[] } {
  const sent: Element[] = [];
  const client = {
    send: async (element: Element) => {
      sent.push(element);
    },
  } as unknown as Client;
  withoutResumption(client);
  return { client, sent };
}

describe("withoutResumption", () => {
  it("asks for stream management without resumption, keeping the rest of <enable/>", async () => {
    const { client, sent } = fakeClient();
    await client.send(xml("enable", { xmlns: NS_SM, resume: "true", max: "600" }));
    expect(sent[0]?.attrs).toEqual({ xmlns: NS_SM, max: "600" });
  });

  it("does the same inside SASL2's <authenticate><bind>", async () => {
    const { client, sent } = fakeClient();
    const authenticate = xml(
      "authenticate",
      { xmlns: "urn:xmpp:sasl:2", mechanism: "SCRAM-SHA-1" },
      xml("bind", { xmlns: "urn:xmpp:bind:0" }, xml("enable", { xmlns: NS_SM, resume: "true" })),
    );
    await client.send(authenticate);
    expect(sent[0]?.getChild("bind")?.getChild("enable", NS_SM)?.attrs.resume).toBeUndefined();
  });

  it("leaves every other element as it was", async () => {
    const { client, sent } = fakeClient();
    const message = xml("message", { to: "a@localhost", resume: "true" }, xml("body", {}, "enable"));
    const otherEnable = xml("enable", { xmlns: "urn:xmpp:other", resume: "true" });
    await client.send(message);
    await client.send(otherEnable);
    expect(sent[0]?.attrs.resume).toBe("true");
    expect(sent[1]?.attrs.resume).toBe("true");
  });
});

/**
 * The real @xmpp/client, its transport replaced: what it writes is kept, and what the server says is handed to it
 * element by element, as its parser does with one read (several elements, one after the other, in the same tick).
 */
function scriptedClient() {
  const xmpp = client({ service: "xmpp://127.0.0.1:5222", domain: "localhost", resource: "bot" });
  ackOnlyStreamManagement(xmpp);
  const written: string[] = [];
  const internals = xmpp as unknown as { _findTransport(service: string): unknown; _onElement(e: Element): void };
  // The TCP transport's `send`, writing here rather than to a socket.
  Object.assign(xmpp, {
    Transport: internals._findTransport("xmpp://127.0.0.1:5222"),
    write: async (text: string) => void written.push(text),
  });
  const failed: Element[] = [];
  (xmpp as unknown as { streamManagement: EventEmitter }).streamManagement.on("fail", (stanza: Element) =>
    failed.push(stanza),
  );
  const errors: unknown[] = [];
  xmpp.on("error", (error: unknown) => errors.push(error));
  const read = (...elements: Element[]) => {
    for (const element of elements) internals._onElement(element);
  };
  const waitFor = async (pattern: RegExp) => {
    for (let tick = 0; tick < 100; tick += 1) {
      const found = written.find((text) => pattern.test(text));
      if (found !== undefined) return found;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`never wrote ${pattern}; wrote ${written.join(" ")}`);
  };
  const acks = () => written.flatMap((text) => /^<a xmlns="urn:xmpp:sm:3" h="(\d+)"\/>$/u.exec(text)?.[1] ?? []);
  /** Stream features, binding and `<enable/>`, up to the server's `<enabled/>` (not yet read). */
  const negotiate = async () => {
    written.length = 0;
    read(
      xml(
        "stream:features",
        { "xmlns:stream": "http://etherx.jabber.org/streams" },
        xml("bind", { xmlns: "urn:ietf:params:xml:ns:xmpp-bind" }),
        xml("sm", { xmlns: NS_SM }),
      ),
    );
    const bind = await waitFor(/<bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/u);
    const id = /id="([^"]+)"/u.exec(bind)?.[1] as string;
    read(
      xml(
        "iq",
        { type: "result", id },
        xml("bind", { xmlns: "urn:ietf:params:xml:ns:xmpp-bind" }, xml("jid", {}, "bot@localhost/bot")),
      ),
    );
    await waitFor(/<enable xmlns="urn:xmpp:sm:3"/u);
  };
  return { xmpp, read, negotiate, acks, failed, errors, settle: () => new Promise((r) => setImmediate(r)) };
}

const presence = (from: string) => xml("presence", { from, to: "bot@localhost/bot" });

describe("ackOnlyStreamManagement's counting (XEP-0198 §4)", () => {
  it("counts from <enabled/>, also the stanzas read with it, and never answers lower than before", async () => {
    const { read, negotiate, acks, settle } = scriptedClient();
    await negotiate();
    // One read: <enabled/>, a stanza, and Prosody 13's <r/> for it.
    read(xml("enabled", { xmlns: NS_SM }), presence("a@localhost/x"), xml("r", { xmlns: NS_SM }));
    await settle();
    read(presence("b@localhost/x"), xml("r", { xmlns: NS_SM }));
    await settle();
    expect(acks()).toEqual(["1", "2"]);
  });

  it("starts a new session clean after the stream broke: nothing kept for a resumption that never comes", async () => {
    const { xmpp, read, negotiate, acks, failed, errors, settle } = scriptedClient();
    await negotiate();
    read(xml("enabled", { xmlns: NS_SM }));
    await settle();
    await xmpp.send(xml("message", { to: "alice@localhost", type: "chat" }, xml("body", {}, "hello")));
    read(presence("a@localhost/x"));
    xmpp.emit("disconnect", { clean: false });
    expect(failed.map((stanza) => stanza.getChildText("body"))).toEqual(["hello"]);

    await negotiate();
    read(xml("enabled", { xmlns: NS_SM }), presence("b@localhost/x"), xml("r", { xmlns: NS_SM }));
    await settle();
    expect(acks()).toEqual(["1"]);
    expect(errors).toEqual([]);
  });
});
