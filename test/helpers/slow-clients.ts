/**
 * Hostile HTTP clients for the web pages' tests and `npm run bench` (scripts/bench-hostile.ts): connections that
 * send a request's headers and then its body a byte at a time, never finishing it, from many loopback addresses
 * (Linux answers on all of 127.0.0.0/8, so each address is a client of its own to the server).
 */
import { request } from "node:http";
import { connect, type Socket } from "node:net";

export interface SlowClient {
  readonly socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves once the socket is closed, with everything the server sent. */
  readonly closed: Promise<string>;
}

/** The `index`-th address of 127.1.0.0/16 (127.1.0.1, …, 127.1.0.250, 127.1.1.1, …). */
export function loopbackAddress(index: number): string {
  return `127.1.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

export interface SlowPostOptions {
  readonly port: number;
  readonly path: string;
  readonly localAddress?: string;
  /** One more byte of the body this often; the body never ends. */
  readonly byteEveryMs: number;
}

/**
 * Connects, sends a POST's headers announcing a 1,000-byte form, then one byte every `byteEveryMs` until the
 * server closes. Resolves once the headers are written, or once the server closed first.
 */
export function slowPost(options: SlowPostOptions): Promise<SlowClient> {
  const { port, path, localAddress, byteEveryMs } = options;
  const socket = connect({ host: "127.0.0.1", port, ...(localAddress === undefined ? {} : { localAddress }) });
  let received = "";
  let timer: NodeJS.Timeout | undefined;
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  // A reset by the server is one way of being closed by it.
  socket.on("error", () => {});
  const closed = new Promise<string>((resolve) => {
    socket.once("close", () => {
      clearInterval(timer);
      resolve(received);
    });
  });
  const client: SlowClient = { socket, received: () => received, closed };
  return new Promise((resolve) => {
    socket.once("close", () => resolve(client));
    socket.once("connect", () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          "Content-Length: 1000\r\nOrigin: http://127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n\r\nu",
        () => resolve(client),
      );
      timer = setInterval(() => {
        if (socket.writable) socket.write("a");
      }, byteEveryMs);
    });
  });
}

/** Opens `count` slow POSTs, `perAddress` from each loopback address in turn (starting at `firstAddress`). */
export async function slowPosts(
  options: Omit<SlowPostOptions, "localAddress"> & { count: number; perAddress: number; firstAddress?: number },
): Promise<SlowClient[]> {
  const first = options.firstAddress ?? 0;
  return Promise.all(
    Array.from({ length: options.count }, (_, i) =>
      slowPost({ ...options, localAddress: loopbackAddress(first + Math.floor(i / options.perAddress)) }),
    ),
  );
}

export interface PlainAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request on a new connection (no keep-alive), from `localAddress` when given. */
export function plainRequest(options: {
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  localAddress?: string;
}): Promise<PlainAnswer> {
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: "127.0.0.1",
        port: options.port,
        path: options.path,
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        agent: false,
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    sent.on("error", reject);
    sent.end(options.body);
  });
}
