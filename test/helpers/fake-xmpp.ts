/** A stand-in for @xmpp/client's IQ router, for unit tests of handlers. */
import type { Client, IqContext, IqHandler } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";

export interface FakeXmpp {
  client: Client;
  /** Runs the handler registered for this IQ's child, as xmpp.js's callee would. */
  call(iq: Element): Promise<Element | undefined>;
}

export function fakeXmpp(): FakeXmpp {
  const handlers: Array<{ type: string; ns: string; name: string; handler: IqHandler }> = [];
  const register = (type: string) => (ns: string, name: string, handler: IqHandler) => {
    handlers.push({ type, ns, name, handler });
  };
  const client = { iqCallee: { get: register("get"), set: register("set") } } as unknown as Client;
  return {
    client,
    async call(iq) {
      const [element] = iq.getChildElements();
      if (element === undefined) throw new Error("IQ without a child");
      const route = handlers.find((h) => h.type === iq.attrs.type && element.is(h.name, h.ns));
      if (route === undefined) return undefined;
      const ctx = { stanza: iq, element, type: iq.attrs.type, id: iq.attrs.id } as unknown as IqContext;
      return (await route.handler(ctx)) as Element | undefined;
    },
  };
}

export function iq(type: "get" | "set", from: string, child: Element): Element {
  return xml("iq", { type, from, to: "bot@example.org/invites", id: "q1" }, child);
}
