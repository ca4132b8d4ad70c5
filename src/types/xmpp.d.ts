// Minimal typings for the parts of xmpp.js 0.14 we use; the packages ship no declarations.

declare module "@xmpp/xml" {
  export type Attrs = Record<string, string | number | undefined>;
  export type Child = Element | string | number | null | undefined | false;

  export class Element {
    constructor(name: string, attrs?: Attrs);
    name: string;
    attrs: Record<string, string | undefined>;
    children: Array<Element | string>;
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    getAttr(name: string): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    c(name: string, attrs?: Attrs): Element;
    t(text: string): Element;
    /** Appends a child element (ltx). */
    cnode(child: Element): Element;
    up(): Element;
    append(...children: Child[]): Element;
    toString(): string;
  }

  export function xml(name: string, attrs?: Attrs | null, ...children: Array<Child | Child[]>): Element;
  export default xml;
}

declare module "@xmpp/jid" {
  export class JID {
    constructor(local: string | undefined, domain: string, resource?: string);
    local: string;
    domain: string;
    resource: string;
    bare(): JID;
    toString(): string;
    equals(other: JID): boolean;
    getLocal(unescaped?: boolean): string;
    getDomain(): string;
    getResource(): string;
  }
  export function jid(address: string): JID;
  export function jid(local: string | undefined, domain: string, resource?: string): JID;
  export function parse(address: string): JID;
  export default jid;
}

declare module "@xmpp/client" {
  import type { EventEmitter } from "node:events";
  import type { JID } from "@xmpp/jid";
  import type { Element } from "@xmpp/xml";

  export { jid } from "@xmpp/jid";
  export { xml } from "@xmpp/xml";

  export interface IqContext {
    stanza: Element;
    element: Element;
    from: JID;
    to: JID;
    id: string;
    type: string;
  }
  export type IqHandler = (ctx: IqContext) => Element | object | undefined | Promise<Element | object | undefined>;

  export interface Reconnect extends EventEmitter {
    delay: number;
    start(): void;
    stop(): void;
  }

  export interface Client extends EventEmitter {
    status: string;
    jid: JID | null;
    timeout: number;
    options: Record<string, unknown>;
    reconnect: Reconnect;
    /** saslmechanisms' factory: asked for the mechanism chosen (src/xmpp/scram-sha-1.ts). */
    saslFactory: { create(names: string[]): unknown };
    middleware: { use(fn: (ctx: { stanza: Element }, next: () => unknown) => unknown): void };
    iqCallee: {
      get(ns: string, name: string, handler: IqHandler): void;
      set(ns: string, name: string, handler: IqHandler): void;
    };
    iqCaller: {
      request(el: Element, timeout?: number): Promise<Element>;
      get(el: Element, to?: string, timeout?: number): Promise<Element>;
    };
    start(): Promise<JID>;
    stop(): Promise<void>;
    send(element: Element): Promise<void>;
    /** Writes raw text to the stream. */
    write(data: string): Promise<void>;
    sendMany(elements: Element[]): Promise<void>;
    disconnect(timeout?: number): Promise<void>;
    isSecure(): boolean;
  }

  export interface ClientOptions {
    service: string;
    domain?: string;
    username?: string;
    password?: string;
    resource?: string;
    timeout?: number;
    credentials?: unknown;
  }

  export function client(options: ClientOptions): Client;
}

declare module "@xmpp/debug" {
  import type { Client } from "@xmpp/client";
  export default function debug(entity: Client, force?: boolean): void;
}

// The parts of xmpp.js the web registration composes itself (src/registration/in-band.ts).
declare module "@xmpp/client-core" {
  import type { EventEmitter } from "node:events";
  import type { Element } from "@xmpp/xml";

  export class Client extends EventEmitter {
    constructor(options: { service: string; domain: string; lang?: string; timeout?: number });
    status: string;
    socket?: { remoteAddress?: string } | null;
    transports: unknown[];
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string }): Promise<Element>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
    isSecure(): boolean;
  }
}

declare module "@xmpp/events" {
  export class Deferred<T> {
    promise: Promise<T>;
    resolve(value: T): void;
    reject(reason: unknown): void;
  }
}

declare module "@xmpp/middleware" {
  import type { Element } from "@xmpp/xml";
  export interface Middleware {
    use(fn: (ctx: { stanza: Element }, next: () => Promise<unknown>) => unknown): void;
  }
  export default function middleware(deps: { entity: unknown }): Middleware;
}

declare module "@xmpp/stream-features" {
  import type { Middleware } from "@xmpp/middleware";
  export interface StreamFeatures {
    use(name: string, xmlns: string, handler: (...args: unknown[]) => unknown): void;
  }
  export default function streamFeatures(deps: { middleware: Middleware }): StreamFeatures;
}

declare module "@xmpp/iq/caller.js" {
  import type { Middleware } from "@xmpp/middleware";
  import type { Element } from "@xmpp/xml";
  export interface IqCaller {
    request(stanza: Element, timeout?: number): Promise<Element>;
  }
  export default function iqCaller(deps: { middleware: Middleware; entity: unknown }): IqCaller;
}

declare module "@xmpp/starttls" {
  import type { StreamFeatures } from "@xmpp/stream-features";
  export default function starttls(deps: { streamFeatures: StreamFeatures }): void;
}

declare module "@xmpp/resolve" {
  export default function resolve(deps: { entity: unknown }): void;
}

declare module "@xmpp/tcp" {
  export default function tcp(deps: { entity: unknown }): void;
}

declare module "@xmpp/tls" {
  export default function tls(deps: { entity: unknown }): void;
}

declare module "@xmpp/websocket" {
  export default function websocket(deps: { entity: unknown }): void;
}
