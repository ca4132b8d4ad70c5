/** The web server's bounds on slow clients and connection counts (src/web/connections.ts), on a plain loopback server. */
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { capConnections, MAX_HEADER_LINES, timeoutOptions } from "../../../src/web/connections.js";
import { loopbackAddress, plainRequest, type SlowClient, slowPost } from "../../helpers/slow-clients.js";
import { webWorld } from "../../helpers/web-fakes.js";

describe("timeoutOptions", () => {
  it("give headers at most 10 s, and never more than the whole request", () => {
    expect(timeoutOptions({ requestTimeoutMs: 20_000 }).http).toMatchObject({
      headersTimeout: 10_000,
      requestTimeout: 20_000,
    });
    expect(timeoutOptions({ requestTimeoutMs: 3_000 }).http).toMatchObject({ headersTimeout: 3_000 });
  });

  it("are those of the pages' server", () => {
    const { server } = webWorld({ web: { requestTimeoutMs: 4_000 } });
    expect(server.server.requestTimeout).toBe(4_000);
    expect(server.server.headersTimeout).toBe(4_000);
    expect(server.server.keepAliveTimeout).toBe(5_000);
    expect(server.server.timeout).toBe(60_000);
    expect(server.server.maxHeadersCount).toBe(MAX_HEADER_LINES);
  });

  it("answer 431 to headers over 8 KiB or over 100 lines", async () => {
    const { server } = webWorld();
    const url = await server.listen({ host: "127.0.0.1", port: 0 });
    try {
      const lines = Object.fromEntries(Array.from({ length: MAX_HEADER_LINES }, (_, i) => [`x-line-${i}`, "1"]));
      expect((await fetch(url, { headers: { "x-big": "a".repeat(9000) } })).status).toBe(431);
      expect((await fetch(url, { headers: lines })).status).toBe(431);
      expect((await fetch(url, { headers: { "x-small": "a".repeat(4000) } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe("capConnections", () => {
  let server: Server | undefined;
  const clients: SlowClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function serve(caps: { total: number; perAddress: number; proxies?: boolean }) {
    const logs: string[] = [];
    server = createServer((_request, response) => response.end("ok"));
    const gauge = capConnections(
      server,
      { total: caps.total, perAddress: caps.perAddress, isProxy: () => caps.proxies === true },
      createLogger("debug", { write: (line: string) => logs.push(line) }),
    );
    const port = await new Promise<number>((resolve) => {
      server?.listen(0, "127.0.0.1", () => {
        const address = server?.address();
        resolve(typeof address === "object" && address !== null ? address.port : 0);
      });
    });
    const slow = async (address: number) => {
      const client = await slowPost({ port, path: "/", byteEveryMs: 60_000, localAddress: loopbackAddress(address) });
      clients.push(client);
      return client;
    };
    const get = (address: number) =>
      plainRequest({ port, path: "/", localAddress: loopbackAddress(address) }).then((answer) => answer.body);
    return { gauge, logs, slow, get };
  }

  it("close a connection over the per-address cap at once, and let others in", async () => {
    const { gauge, logs, slow, get } = await serve({ total: 100, perAddress: 3 });
    for (let i = 0; i < 3; i += 1) await slow(0);
    expect(await (await slow(0)).closed).toBe("");
    expect(gauge.open()).toBe(3);
    expect(await get(1)).toBe("ok");
    expect(logs.join("")).toMatch(
      /WARN +Web connections refused over=WEB_MAX_CONNECTIONS_PER_ADDRESS refused=1 open=3/u,
    );
  });

  it("close a connection over the total cap at once", async () => {
    const { slow } = await serve({ total: 4, perAddress: 3 });
    for (const address of [0, 0, 1, 1]) await slow(address);
    expect(await (await slow(2)).closed).toBe("");
  });

  it("hold no trusted proxy to the per-address cap", async () => {
    const { slow, get } = await serve({ total: 100, perAddress: 2, proxies: true });
    for (let i = 0; i < 5; i += 1) await slow(0);
    expect(await get(0)).toBe("ok");
  });
});
