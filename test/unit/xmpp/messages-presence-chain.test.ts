/**
 * Chat messages and presence subscriptions in xmpp.js's middleware chain (issue 21): messages meet the flood gate the
 * IQs meet, share each requester's budget with them, and are followed until answered.
 */
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { attachFloodControl } from "../../../src/xmpp/flood-control.js";
import { InFlight } from "../../../src/xmpp/in-flight.js";
import { attachMessages } from "../../../src/xmpp/messages.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { attachPresence } from "../../../src/xmpp/presence.js";
import { RateLimiter } from "../../../src/xmpp/rate-limit.js";
import { attachSoftwareVersion } from "../../../src/xmpp/software-version.js";
import { iq } from "../../helpers/fake-xmpp.js";
import { offlineClient } from "../../helpers/offline-client.js";

const silent = createLogger("silent");
const SLOW_DOWN = /^You are sending requests too fast; please wait \d+ seconds? and try again\.$/u;

function bot(options: { burst?: number; reply?: (from: string, body: string) => Promise<string> } = {}) {
  const chain = offlineClient();
  const inFlight = new InFlight();
  const limiter = new RateLimiter({ burst: options.burst ?? 5, perSecond: 0.001 });
  const gate = attachFloodControl(chain.xmpp, limiter, inFlight, silent);
  // An IQ route behind the gate (xmpp.js answers its own ping ahead of it).
  attachSoftwareVersion(chain.xmpp, { name: "bot", version: "1" });
  attachPresence(chain.xmpp, {
    caps: () => xml("c", { xmlns: NS.caps }),
    maySubscribe: (bare) => bare.endsWith("@example.org"),
    status: "",
    log: silent,
  });
  const replied: string[] = [];
  const reply =
    options.reply ??
    (async (from: string, body: string) => {
      replied.push(`${from}: ${body}`);
      return `you said ${body}`;
    });
  attachMessages(chain.xmpp, reply, () => "bot@example.org", gate, silent);
  return { ...chain, inFlight, replied };
}

const chat = (from: string, body?: string, attrs: Record<string, string> = {}) =>
  xml(
    "message",
    { from, to: "bot@example.org/invites", type: "chat", ...attrs },
    body === undefined ? null : xml("body", {}, body),
  );
const version = () => xml("query", { xmlns: NS.version });
const bodies = (sent: Element[]) => sent.filter((s) => s.is("message")).map((s) => s.getChildText("body"));

describe("chat messages in the middleware chain", () => {
  it("are answered once each, to the sender, in their thread", async () => {
    const { receive, sent, replied } = bot();
    const message = chat("alice@example.org/phone", "help");
    message.append(xml("thread", {}, "t1"));
    await receive(message);
    expect(replied).toEqual(["alice@example.org/phone: help"]);
    expect(sent.map((s) => s.toString())).toEqual([
      '<message to="alice@example.org/phone" type="chat"><body>you said help</body><thread>t1</thread></message>',
    ]);
  });

  it("are not answered, nor counted, when not worth an answer", async () => {
    const { receive, reply, sent, replied } = bot({ burst: 1 });
    await receive(chat("alice@example.org/phone"));
    await receive(chat("alice@example.org/phone", "hi", { type: "groupchat" }));
    await receive(chat("example.org", "hi"));
    await receive(chat("bot@example.org/other", "hi"));
    expect(sent).toEqual([]);
    // Alice still has her one request.
    expect((await reply(iq("get", "alice@example.org/phone", version()))).attrs.type).toBe("result");
    expect(replied).toEqual([]);
  });

  it("share the requester's budget with IQs: told to slow down once, then silence", async () => {
    const { receive, reply, sent, replied } = bot({ burst: 2 });
    await receive(chat("alice@example.org/phone", "one"));
    expect((await reply(iq("get", "alice@example.org/laptop", version()))).attrs.type).toBe("result");
    await receive(chat("alice@example.org/phone", "two"));
    await receive(chat("alice@example.org/phone", "three"));
    expect(replied).toEqual(["alice@example.org/phone: one"]);
    const said = bodies(sent);
    expect(said).toHaveLength(2);
    expect(said[0]).toBe("you said one");
    expect(said[1]).toMatch(SLOW_DOWN);
    // The IQ channel hears of the flood on its own.
    const refused = await reply(iq("get", "alice@example.org/laptop", version()));
    expect(refused.getChild("error")?.getChild("resource-constraint", NS.stanzas)).toBeDefined();
    // Someone else is served as usual.
    await receive(chat("bob@example.org/x", "hi"));
    expect(bodies(sent).at(-1)).toBe("you said hi");
  });

  it("are followed until answered, so a stop waits for them, and go unanswered while stopping", async () => {
    let answer: (text: string) => void = () => {};
    const { receive, sent, inFlight } = bot({
      reply: () => new Promise<string>((resolve) => (answer = resolve)),
    });
    await receive(chat("alice@example.org/phone", "invite"));
    expect(inFlight.size).toBe(1);
    const drained = inFlight.drain(2_000);
    answer("here you go");
    expect(await drained).toBe(true);
    expect(bodies(sent)).toEqual(["here you go"]);
    await receive(chat("alice@example.org/phone", "again"));
    expect(bodies(sent)).toEqual(["here you go"]);
  });
});

describe("presence subscriptions in the middleware chain", () => {
  it("are accepted (and returned) for the bot's users, refused for others, and nothing else is answered", async () => {
    const { receive, sent } = bot();
    await receive(xml("presence", { from: "alice@example.org/phone", type: "subscribe" }));
    await receive(xml("presence", { from: "mallory@evil.example", type: "subscribe" }));
    await receive(xml("presence", { from: "alice@example.org/phone" }));
    await receive(xml("presence", { from: "alice@example.org/phone", type: "unsubscribe" }));
    expect(sent.map((s) => s.toString())).toEqual([
      '<presence to="alice@example.org" type="subscribed"/>',
      '<presence to="alice@example.org" type="subscribe"/>',
      '<presence to="mallory@evil.example" type="unsubscribed"/>',
    ]);
  });
});
