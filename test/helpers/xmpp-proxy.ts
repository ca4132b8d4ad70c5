/**
 * A TCP proxy on a free loopback port in front of a private XMPP server, for outcomes a client cannot know: the
 * proxy watches what the client sends and, once a request matches, holds the server's answers (the server did the
 * work, the client hears nothing) or the client's request itself (the server never sees it), until the test lets
 * them through or drops the connection. Plain TCP only: the test servers offer no STARTTLS on loopback.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { listenOnLoopback } from "./tcp.js";

export type HoldDirection = "answers" | "requests";

export interface XmppProxy {
  port: number;
  /** `xmpp://127.0.0.1:PORT` */
  service: string;
  /**
   * Once a client sends bytes matching `pattern` on a connection: with "answers", every byte the server sends
   * that client from then on is held; with "requests", those bytes and everything the client sends after them.
   * Resolves when it has happened.
   */
  holdAfter(pattern: RegExp, direction: HoldDirection): Promise<void>;
  /** Lets what was held through, in order, and forwards normally again. */
  release(): void;
  /** Closes every connection through the proxy; whatever was held is never delivered. */
  dropConnections(): void;
  /** Connections open through the proxy now. */
  connections(): number;
  stop(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket;
  /** The client's recent bytes, so that a pattern split across two chunks still matches. */
  recent: string;
  held: { to: Socket; chunk: Buffer }[];
  holding: HoldDirection | undefined;
}

/** Starts a proxy to 127.0.0.1:`serverPort`. */
export async function startXmppProxy(serverPort: number): Promise<XmppProxy> {
  const links = new Set<Link>();
  let armed: { pattern: RegExp; direction: HoldDirection; happened: () => void } | undefined;

  const forward = (link: Link, to: Socket, chunk: Buffer): void => {
    const held =
      (link.holding === "answers" && to === link.client) || (link.holding === "requests" && to === link.upstream);
    if (held) link.held.push({ to, chunk });
    else if (!to.destroyed) to.write(chunk);
  };

  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: serverPort });
    const link: Link = { client, upstream, recent: "", held: [], holding: undefined };
    links.add(link);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      socket.on("error", () => {});
      socket.on("close", () => {
        links.delete(link);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => {
      link.recent = (link.recent + chunk.toString("utf8")).slice(-16_384);
      if (armed !== undefined && link.holding === undefined && armed.pattern.test(link.recent)) {
        link.holding = armed.direction;
        const { happened } = armed;
        armed = undefined;
        happened();
      }
      forward(link, upstream, chunk);
    });
    upstream.on("data", (chunk: Buffer) => forward(link, client, chunk));
  });
  const port = await listenOnLoopback(server);

  return {
    port,
    service: `xmpp://127.0.0.1:${port}`,
    holdAfter(pattern, direction) {
      // Only what the client sends from now on counts.
      for (const link of links) link.recent = "";
      return new Promise((resolve) => {
        armed = { pattern, direction, happened: resolve };
      });
    },
    release() {
      armed = undefined;
      for (const link of links) {
        link.holding = undefined;
        const held = link.held;
        link.held = [];
        for (const { to, chunk } of held) if (!to.destroyed) to.write(chunk);
      }
    },
    dropConnections() {
      for (const link of links) {
        link.held = [];
        link.client.destroy();
        link.upstream.destroy();
      }
    },
    connections: () => links.size,
    async stop() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
