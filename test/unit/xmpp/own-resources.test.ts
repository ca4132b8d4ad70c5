import { EventEmitter } from "node:events";
import type { Client } from "@xmpp/client";
import { jid } from "@xmpp/jid";
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { trackOwnResources } from "../../../src/xmpp/own-resources.js";

type Middleware = (ctx: { stanza: Element }, next: () => unknown) => unknown;

/** A client bound to bot@example.org/a; `receive` passes a stanza down its middleware chain, as xmpp.js does. */
function boundClient(): { client: Client; emitter: EventEmitter; receive: (stanza: Element) => void } {
  const emitter = new EventEmitter();
  const chain: Middleware[] = [];
  Object.assign(emitter, { jid: jid("bot@example.org/a"), middleware: { use: (fn: Middleware) => chain.push(fn) } });
  const receive = (stanza: Element) => {
    let passed = 0;
    for (const fn of chain) fn({ stanza }, () => (passed += 1));
    expect(passed).toBe(chain.length);
  };
  return { client: emitter as unknown as Client, emitter, receive };
}

const presence = (from: string, type?: string) => xml("presence", { from, ...(type === undefined ? {} : { type }) });

describe("the bot's other resources", () => {
  it("counts another resource of its account while available, not its own nor other accounts'", () => {
    const { client, receive } = boundClient();
    const own = trackOwnResources(client);
    receive(presence("bot@example.org/a"));
    receive(presence("alice@example.org/phone"));
    receive(presence("bot@example.org.evil/b"));
    expect(own.anyOther()).toBe(false);
    receive(presence("bot@example.org/b"));
    expect(own.anyOther()).toBe(true);
    receive(presence("bot@example.org/b", "unavailable"));
    expect(own.anyOther()).toBe(false);
  });

  it("forgets them on a new session, whose initial presence brings them again", () => {
    const { client, emitter, receive } = boundClient();
    const own = trackOwnResources(client);
    receive(presence("bot@example.org/b"));
    receive(xml("message", { from: "bot@example.org/c" }));
    expect(own.anyOther()).toBe(true);
    emitter.emit("online", jid("bot@example.org/a"));
    expect(own.anyOther()).toBe(false);
  });
});
