/**
 * What the web server lets a client hold (docs/web.md, "Safety"; docs/security.md, "The web pages under load"):
 * how long it may take to send a request, how long an idle connection stays, how big the headers may be, and how
 * many connections are open at once, in all and from one client address. A client that never finishes its
 * request costs a socket, a parser and a request object; without these bounds, enough of them fill the heap and
 * take the whole bot down with them, XMPP included.
 */
import type { IncomingMessage, Server, ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { FastifyServerOptions } from "fastify";
import type { WebConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { clientKey } from "./rate-limits.js";

/** Headers are due within this long (or WEB_REQUEST_TIMEOUT_MS, if shorter); the whole request within that. */
const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node looks for requests over their time: so a late one goes within a second of its deadline. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/**
 * An idle connection between two requests (Node's own default; Fastify's 72 s is for cloud load balancers that
 * keep theirs for 60 s).
 */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/**
 * A connection on which nothing moves at all, in either direction, e.g. a client that does not read its answer.
 * Longer than a registration takes (10 s over XMPP, then the contacts), during which the connection is quiet.
 */
const IDLE_TIMEOUT_MS = 60_000;
/**
 * Request headers, over either answered 431: a browser sends about 2 KiB in 20 lines, and proxies and CDNs add
 * a dozen more; Node's defaults are 16 KiB and 2,000 lines.
 */
const MAX_HEADER_BYTES = 8 * 1024;
export const MAX_HEADER_LINES = 100;

/**
 * Whether a request has more header lines than MAX_HEADER_LINES. Node (22.23.2 and 24.18.1 on) answers those 431
 * itself; older ones, Node 20 (Debian 13's too) and 22.12 among them, only hide the lines past `maxHeadersCount`
 * from `headers` (not from `rawHeaders`) and serve the request, so the pages' server answers them 431 itself.
 */
export function overHeaderLines(request: IncomingMessage): boolean {
  return request.rawHeaders.length / 2 > MAX_HEADER_LINES;
}

/** Fastify's and Node's options for these bounds. */
export function timeoutOptions(
  web: Pick<WebConfig, "requestTimeoutMs">,
): Pick<FastifyServerOptions, "connectionTimeout" | "keepAliveTimeout" | "requestTimeout"> & { http: ServerOptions } {
  const requestTimeout = web.requestTimeoutMs;
  return {
    connectionTimeout: IDLE_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout,
    http: {
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      requestTimeout,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
  };
}

export interface ConnectionCaps {
  readonly total: number;
  readonly perAddress: number;
  /** Whether a peer is a trusted proxy (client-address.ts): it speaks for many, and is not held to `perAddress`. */
  readonly isProxy: (address: string | undefined) => boolean;
}

/** How often at most a refusal is logged: a flood of them must not become a flood of log lines. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * Caps the server's open connections in all (Node's own `maxConnections`: one over it is closed as it is accepted,
 * before Node makes a socket of it) and per client address (an IPv6 client per /64, as for the rate limits),
 * counted on each new socket and destroyed at once over the cap: before it is read, it costs nothing more.
 */
export function capConnections(server: Server, caps: ConnectionCaps, log: Logger): { open(): number } {
  server.maxHeadersCount = MAX_HEADER_LINES;
  server.maxConnections = caps.total;
  const perAddress = new Map<string, number>();
  let open = 0;
  let refused = 0;
  let lastLogged = Number.NEGATIVE_INFINITY;
  const refuse = (socket: Socket | undefined, cap: string): void => {
    socket?.destroy();
    refused += 1;
    const now = Date.now();
    if (now - lastLogged < REFUSAL_LOG_INTERVAL_MS) return;
    log.warn("Web connections refused", { over: cap, refused, open });
    lastLogged = now;
    refused = 0;
  };
  server.on("drop", () => refuse(undefined, "WEB_MAX_CONNECTIONS"));
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress;
    const key = caps.isProxy(address) || address === undefined ? undefined : clientKey(address);
    const mine = key === undefined ? 0 : (perAddress.get(key) ?? 0);
    if (mine >= caps.perAddress) return refuse(socket, "WEB_MAX_CONNECTIONS_PER_ADDRESS");
    open += 1;
    if (key !== undefined) perAddress.set(key, mine + 1);
    socket.once("close", () => {
      open -= 1;
      if (key === undefined) return;
      const left = (perAddress.get(key) ?? 1) - 1;
      if (left > 0) perAddress.set(key, left);
      else perAddress.delete(key);
    });
  });
  return { open: () => open };
}
