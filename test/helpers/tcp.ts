/** Small raw-TCP helpers: probes that tell when a private server is ready, and a listener for test proxies. */
import { connect, type Server } from "node:net";

/**
 * Connects to 127.0.0.1:`port`, writes `payload` (if any) and resolves with what the
 * server sent back until `done(received)` is true, the server closes, or `timeoutMs` passes.
 * Rejects if the connection fails.
 */
export function tcpExchange(
  port: number,
  payload: string | undefined,
  done: (received: string) => boolean,
  timeoutMs = 1000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = "";
    const socket = connect({ host: "127.0.0.1", port });
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(received);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete answer from 127.0.0.1:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once("error", finish);
    socket.once("connect", () => {
      if (payload === undefined) finish();
      else socket.write(payload);
    });
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (done(received)) finish();
    });
    socket.once("end", () => finish());
  });
}

/** True when 127.0.0.1:`port` accepts a TCP connection. */
export async function canConnect(port: number, timeoutMs = 1000): Promise<boolean> {
  try {
    await tcpExchange(port, undefined, () => true, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/**
 * Listens on a port of 127.0.0.1 the kernel picks (bound at once, so no other process can take it meanwhile) and
 * resolves with it.
 */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    server.close();
    throw new Error("the server has no TCP address");
  }
  return address.port;
}
