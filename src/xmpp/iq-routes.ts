/**
 * The bot's one IQ route table: every request the bot answers (`get` or `set`, RFC 6120 §8.2.3) is registered here
 * once, and reaches its handler both ways a request arrives: asked of the bot directly, through xmpp.js's IQ callee
 * (the table registers each route with it, behind the flood gate of flood-control.ts), and forwarded by the server on
 * a user's behalf (delegation.ts looks the user's IQ up here). A route added anywhere is thus answered through the
 * relay too, never a silent service-unavailable there.
 *
 * There is one table per client, found from the client like xmpp.js's own `iqCallee`: `iqRoutes(xmpp)`.
 */
import type { Client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";

/**
 * Answers one request's child element (a `<command/>`, a disco `<query/>`, …) for the requester `from` (the IQ's
 * `from`, or the user inside a forwarded request): the reply's child, or an `<error/>` (stanza-error.ts). Either path
 * wraps it into the reply IQ; a handler that throws is answered internal-server-error by xmpp.js.
 */
export type IqRouteHandler = (element: Element, from: string) => Element | Promise<Element>;

export type IqRequestType = "get" | "set";

export class IqRoutes {
  readonly #callee: Client["iqCallee"];
  readonly #routes = new Map<string, IqRouteHandler>();

  constructor(callee: Client["iqCallee"]) {
    this.#callee = callee;
  }

  get(ns: string, name: string, handler: IqRouteHandler): this {
    return this.#add("get", ns, name, handler);
  }

  set(ns: string, name: string, handler: IqRouteHandler): this {
    return this.#add("set", ns, name, handler);
  }

  /** The handler for a request of `type` whose child is `<name xmlns=ns/>`, if any. */
  find(type: string, ns: string, name: string): IqRouteHandler | undefined {
    return this.#routes.get(routeKey(type, ns, name));
  }

  #add(type: IqRequestType, ns: string, name: string, handler: IqRouteHandler): this {
    const key = routeKey(type, ns, name);
    if (this.#routes.has(key)) throw new Error(`IQ route registered twice: ${type} {${ns}}${name}`);
    this.#routes.set(key, handler);
    this.#callee[type](ns, name, ({ element, stanza }) => handler(element, stanza.attrs.from ?? ""));
    return this;
  }
}

function routeKey(type: string, ns: string, name: string): string {
  return JSON.stringify([type, ns, name]);
}

const tables = new WeakMap<Client, IqRoutes>();

/** The route table of `xmpp`, made on first use. */
export function iqRoutes(xmpp: Client): IqRoutes {
  let table = tables.get(xmpp);
  if (table === undefined) {
    table = new IqRoutes(xmpp.iqCallee);
    tables.set(xmpp, table);
  }
  return table;
}
