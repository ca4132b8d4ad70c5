import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { attachDelegation, delegatedRequester } from "../../../src/xmpp/delegation.js";
import { iqRoutes } from "../../../src/xmpp/iq-routes.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { stanzaError } from "../../../src/xmpp/stanza-error.js";
import { fakeXmpp, iq } from "../../helpers/fake-xmpp.js";

function wrapped(inner: Element): Element {
  return xml("delegation", { xmlns: NS.delegation }, xml("forwarded", { xmlns: NS.forward }, inner));
}

function userIq(from: string, child: Element): Element {
  return xml("iq", { xmlns: "jabber:client", type: "set", from, to: "example.org", id: "u1" }, child);
}

const command = xml("command", { xmlns: NS.commands, node: "urn:xmpp:invite#invite", action: "execute" });

function setup() {
  const calls: string[] = [];
  const fake = fakeXmpp();
  iqRoutes(fake.client).set(NS.commands, "command", (element, from) => {
    calls.push(from);
    return element.attrs.node === "fail"
      ? stanzaError("auth", "forbidden", "no")
      : xml("command", { xmlns: NS.commands, status: "completed" });
  });
  attachDelegation(fake.client, { domain: "example.org", log: createLogger("silent") });
  return { fake, calls };
}

describe("forwarded requests", () => {
  it("run for the user inside, and come back wrapped, from the address the user asked", async () => {
    const { fake, calls } = setup();
    const reply = await fake.call(iq("set", "example.org", wrapped(userIq("alice@example.org/phone", command))));
    expect(calls).toEqual(["alice@example.org/phone"]);
    const inner = reply?.getChild("forwarded", NS.forward)?.getChild("iq");
    expect(inner?.attrs).toMatchObject({
      type: "result",
      from: "example.org",
      to: "alice@example.org/phone",
      id: "u1",
    });
    expect(inner?.getChild("command", NS.commands)?.attrs.status).toBe("completed");
  });

  it("carry the handler's error as an error IQ inside the wrapper", async () => {
    const { fake } = setup();
    const failing = xml("command", { xmlns: NS.commands, node: "fail" });
    const reply = await fake.call(iq("set", "example.org", wrapped(userIq("alice@example.org/phone", failing))));
    const inner = reply?.getChild("forwarded", NS.forward)?.getChild("iq");
    expect(inner?.attrs.type).toBe("error");
    expect(inner?.getChild("error")?.getChild("forbidden")).toBeDefined();
  });

  it("carry the reply in jabber:client (XEP-0297 §4), its error too, not in the wrapper's namespace", async () => {
    const { fake } = setup();
    const failing = xml("command", { xmlns: NS.commands, node: "fail" });
    const reply = await fake.call(iq("set", "example.org", wrapped(userIq("alice@example.org/phone", failing))));
    // Namespaces as the server resolves them: each element's own xmlns, else its parent's.
    const inner = reply?.getChild("forwarded", NS.forward)?.getChild("iq", "jabber:client");
    expect(inner?.getChild("error", "jabber:client")?.getChild("forbidden", NS.stanzas)).toBeDefined();
  });

  it("refuse a forwarded IQ outside jabber:client", async () => {
    const { fake, calls } = setup();
    const stray = xml("iq", { type: "set", from: "alice@example.org/a", to: "example.org", id: "s1" }, command);
    const reply = await fake.call(iq("set", "example.org", wrapped(stray)));
    expect(reply?.getChild("bad-request")).toBeDefined();
    expect(calls).toEqual([]);
  });

  it("are refused from anyone but the bare domain", async () => {
    for (const from of ["alice@example.org/phone", "example.org/resource", "evil.example", "Example.org.evil"]) {
      const { fake, calls } = setup();
      const reply = await fake.call(iq("set", from, wrapped(userIq("admin@example.org/x", command))));
      expect(reply?.name).toBe("error");
      expect(reply?.getChild("forbidden")).toBeDefined();
      expect(calls).toEqual([]);
    }
  });

  it("refuse a wrapper without a proper IQ inside, and answer unknown payloads service-unavailable", async () => {
    const { fake, calls } = setup();
    const empty = await fake.call(iq("set", "example.org", xml("delegation", { xmlns: NS.delegation })));
    expect(empty?.getChild("bad-request")).toBeDefined();
    const noFrom = await fake.call(iq("set", "example.org", wrapped(xml("iq", { type: "set", id: "x" }, command))));
    expect(noFrom?.getChild("bad-request")).toBeDefined();
    const other = await fake.call(
      iq("set", "example.org", wrapped(userIq("alice@example.org/a", xml("query", { xmlns: "jabber:iq:roster" })))),
    );
    expect(
      other?.getChild("forwarded", NS.forward)?.getChild("iq")?.getChild("error")?.getChild("service-unavailable"),
    ).toBeDefined();
    expect(calls).toEqual([]);
  });

  it("name their requester for flood control only when the domain sent them", () => {
    const forwarded = iq("set", "example.org", wrapped(userIq("alice@example.org/phone", command)));
    expect(delegatedRequester(forwarded, "example.org")).toBe("alice@example.org/phone");
    expect(
      delegatedRequester(iq("set", "bob@example.org/x", wrapped(userIq("a@example.org", command))), "example.org"),
    ).toBeUndefined();
  });
});
