/** Free loopback TCP ports for private test servers. */
import { createServer } from "node:net";

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it).
 * Another process could still grab it before the caller binds it; servers that
 * fail to bind must therefore be detected by the caller.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error(`unexpected listen address: ${String(address)}`));
        return;
      }
      const { port } = address;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
