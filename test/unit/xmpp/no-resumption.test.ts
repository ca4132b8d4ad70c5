/**
 * The bot enables stream management without resumption (src/xmpp/no-resumption.ts): `resume` comes off the
 * `<enable/>` it sends alone (XEP-0198 §3) and inline in SASL2 (XEP-0386), and nothing else it sends changes.
 */
import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { withoutResumption } from "../../../src/xmpp/no-resumption.js";

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
