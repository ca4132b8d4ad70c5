/**
 * A TCP proxy on a free loopback port in front of a private Redis, to make Redis hang or sit further away
 * for one client (Prosody) while the tests' own client still reaches Redis directly, and to see every
 * command that client sends. Used by the stall tests and `npm run bench`'s stall phase.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { listenOnLoopback } from "./tcp.js";

export interface RedisProxy {
  port: number;
  /** `url` with its port replaced by the proxy's (credentials and database kept). */
  urlFor(url: string): string;
  /** Stops forwarding in both directions; connections stay open and bytes are held, as with a hung server. */
  hang(): void;
  /** Forwards again, what was held first (and what holdRepliesAfter() and holdCommandsFrom() held). */
  release(): void;
  /**
   * Once a client sends a command matching `match`, holds every reply to that client's connection from then on
   * (the command itself reaches Redis and runs: its answer comes late), until release() or dropConnections().
   * Resolves when it has happened.
   */
  holdRepliesAfter(match: (command: readonly string[]) => boolean): Promise<void>;
  /**
   * Once a client sends a command matching `match`, holds that command (with whatever came in the same chunk) and
   * everything that client sends after it: none of it reaches Redis until release(), which forwards it even if the
   * client has closed its connection meanwhile, as a network that delivers late would (Redis then runs it and
   * closes that connection: see drained()). dropConnections() drops it instead. Resolves when it has happened.
   */
  holdCommandsFrom(match: (command: readonly string[]) => boolean): Promise<void>;
  /** Resolves once Redis has closed every connection whose held commands release() sent after their client left. */
  drained(): Promise<void>;
  /** Closes every client connection; replies and commands held for them are never delivered. */
  dropConnections(): void;
  /** Holds every chunk this long in each direction: a Redis further away. 0 by default. */
  delayMs: number;
  /**
   * Every command the clients sent so far (held or forwarded), decoded: ["GET", "invite:…"]; without
   * AUTH, which a client sends on each new connection (and which would carry a password).
   */
  readonly commands: readonly (readonly string[])[];
  /** Resolves once the clients have sent `count` commands in all (whichever they are: to count, not to name one). */
  waitForCommands(count: number, timeoutMs?: number): Promise<void>;
  /**
   * Resolves with the first command at index `after` or later of `commands` (0 by default) that `match` accepts,
   * waiting for it if it has not come yet: a particular command, not merely the next one.
   */
  waitForCommand(
    match: (command: readonly string[]) => boolean,
    options?: { after?: number; timeoutMs?: number },
  ): Promise<readonly string[]>;
  /** Connections open through the proxy now. */
  connections(): number;
  stop(): Promise<void>;
}

/** Decodes the RESP arrays of bulk strings a Redis client sends, chunk by chunk. */
export function commandDecoder(onCommand: (command: string[]) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  const line = (from: number): { text: string; next: number } | undefined => {
    const end = buffer.indexOf("\r\n", from);
    return end === -1 ? undefined : { text: buffer.subarray(from, end).toString("latin1"), next: end + 2 };
  };
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const header = line(0);
      if (header === undefined) return;
      if (!header.text.startsWith("*")) throw new Error(`not a RESP command: ${header.text}`);
      const count = Number(header.text.slice(1));
      const parts: string[] = [];
      let at = header.next;
      for (let i = 0; i < count; i++) {
        const size = line(at);
        if (size === undefined) return;
        const length = Number(size.text.slice(1));
        if (buffer.length < size.next + length + 2) return;
        parts.push(buffer.subarray(size.next, size.next + length).toString("utf8"));
        at = size.next + length + 2;
      }
      buffer = buffer.subarray(at);
      onCommand(parts);
    }
  };
}

/** Starts a proxy to 127.0.0.1:`redisPort`. */
export async function startRedisProxy(redisPort: number): Promise<RedisProxy> {
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  const commands: string[][] = [];
  const waiters = new Set<() => void>();
  let hung = false;
  /** Sends held while hanging, in order, released by release(). */
  let held: (() => void)[] = [];
  /** Client connections whose replies are held (holdRepliesAfter), with what was held for each. */
  const repliesHeld = new Map<Socket, Buffer[]>();
  let armed: { match: (command: readonly string[]) => boolean; happened: () => void } | undefined;
  /** Client connections whose commands are held (holdCommandsFrom), with their way to Redis and what was held. */
  const requestsHeld = new Map<Socket, { upstream: Socket; chunks: Buffer[] }>();
  let armedRequests: { match: (command: readonly string[]) => boolean; happened: () => void } | undefined;
  /** Connections to Redis that got held commands after their client left, until Redis closes them. */
  const lingering = new Set<Promise<void>>();

  const forward = (to: Socket, chunk: Buffer): void => {
    const heldReplies = repliesHeld.get(to);
    if (heldReplies !== undefined) {
      heldReplies.push(chunk);
      return;
    }
    const send = (): void => {
      if (!to.destroyed) to.write(chunk);
    };
    const later = (): void => {
      if (proxy.delayMs > 0) setTimeout(send, proxy.delayMs);
      else send();
    };
    if (hung) held.push(later);
    else later();
  };

  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: redisPort });
    clients.add(client);
    client.on("close", () => {
      clients.delete(client);
      repliesHeld.delete(client);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        // Commands held for a client that left still reach Redis on release(), over this connection.
        if (socket === client && requestsHeld.has(client)) return;
        upstream.destroy();
      });
      socket.on("error", () => {});
    }
    const decode = commandDecoder((command) => {
      if (command[0]?.toUpperCase() === "AUTH") return;
      commands.push(command);
      if (armed?.match(command) === true) {
        repliesHeld.set(client, []);
        const { happened } = armed;
        armed = undefined;
        happened();
      }
      if (armedRequests?.match(command) === true) {
        requestsHeld.set(client, { upstream, chunks: [] });
        const { happened } = armedRequests;
        armedRequests = undefined;
        happened();
      }
      for (const waiter of waiters) waiter();
    });
    client.on("data", (chunk: Buffer) => {
      decode(chunk);
      const heldRequests = requestsHeld.get(client);
      if (heldRequests !== undefined) heldRequests.chunks.push(chunk);
      else forward(upstream, chunk);
    });
    upstream.on("data", (chunk: Buffer) => forward(client, chunk));
  });
  const port = await listenOnLoopback(server);

  const proxy: RedisProxy = {
    port,
    delayMs: 0,
    commands,
    urlFor(url) {
      const parsed = new URL(url);
      parsed.port = String(port);
      return parsed.toString().replace(/\/$/u, "");
    },
    hang() {
      hung = true;
    },
    release() {
      hung = false;
      armed = undefined;
      const sends = held;
      held = [];
      for (const send of sends) send();
      const replies = [...repliesHeld];
      repliesHeld.clear();
      for (const [client, chunks] of replies) for (const chunk of chunks) forward(client, chunk);
      armedRequests = undefined;
      const requests = [...requestsHeld];
      requestsHeld.clear();
      for (const [client, { upstream, chunks }] of requests) {
        if (upstream.destroyed) continue;
        for (const chunk of chunks) upstream.write(chunk);
        if (!client.destroyed) continue;
        // The client left: Redis runs what it sent, then closes the connection on the end of its input.
        lingering.add(new Promise((resolve) => upstream.once("close", () => resolve())));
        upstream.end();
      }
    },
    holdRepliesAfter(match) {
      return new Promise((resolve) => {
        armed = { match, happened: resolve };
      });
    },
    holdCommandsFrom(match) {
      return new Promise((resolve) => {
        armedRequests = { match, happened: resolve };
      });
    },
    async drained() {
      await Promise.all(lingering);
    },
    dropConnections() {
      repliesHeld.clear();
      armedRequests = undefined;
      const requests = [...requestsHeld.values()];
      requestsHeld.clear();
      for (const { upstream } of requests) upstream.destroy();
      for (const client of clients) client.destroy();
    },
    waitForCommands(count, timeoutMs = 10_000) {
      if (commands.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the proxy saw ${commands.length} commands, not ${count}, within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = (): void => {
          if (commands.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    waitForCommand(match, { after = 0, timeoutMs = 10_000 } = {}) {
      const find = () => commands.slice(after).find(match);
      const found = find();
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `the proxy saw no such command within ${timeoutMs} ms; after #${after} it saw: ${JSON.stringify(commands.slice(after))}`,
            ),
          );
        }, timeoutMs);
        const check = (): void => {
          const command = find();
          if (command === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(command);
        };
        waiters.add(check);
      });
    },
    connections: () => clients.size,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
