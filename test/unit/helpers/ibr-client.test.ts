/**
 * How the raw in-band-registration client (test/helpers/ibr-client.ts) fails, against
 * fake TCP servers on 127.0.0.1 that misbehave on purpose (no XMPP server involved).
 */
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { IbrStreamError, openIbrSession } from "../../helpers/ibr-client.js";

const DOMAIN = "localhost";

describe("ibr-client failure handling (fake servers)", () => {
  const fakes: Server[] = [];
  const accepted = new Set<Socket>();

  /** A TCP server on 127.0.0.1 that runs `onSocket` for each connection. */
  async function fakeServer(onSocket: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => {
      accepted.add(socket);
      onSocket(socket);
    });
    fakes.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no TCP address");
    return address.port;
  }

  const HEADER =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='x' from='localhost' version='1.0'>";
  const FEATURES = "<stream:features><register xmlns='urn:xmpp:ibr-token:0'/></stream:features>";

  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await Promise.all(fakes.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  it("times out waiting for the stream header, saying what it waited for", async () => {
    const port = await fakeServer(() => undefined);
    await expect(openIbrSession({ port, domain: DOMAIN, timeoutMs: 300 })).rejects.toThrow(
      /timed out after 300 ms waiting for the <stream:stream> header; received so far: nothing/,
    );
  });

  it("times out waiting for an IQ reply, naming the IQ", async () => {
    const port = await fakeServer((socket) => {
      socket.once("data", () => socket.write(HEADER + FEATURES));
      // Answer the client's close at once (but never an IQ).
      socket.on("data", (data) => {
        if (data.toString().includes("</stream:stream>")) socket.end("</stream:stream>");
      });
    });
    const session = await openIbrSession({ port, domain: DOMAIN, timeoutMs: 2000 });
    try {
      expect(session.offersTokenRegistration).toBe(true);
      await expect(session.preauth("abc", 300)).rejects.toThrow(
        /timed out after 300 ms waiting for the reply to the preauth IQ \(iq id ibr-1\)/,
      );
    } finally {
      await session.close();
    }
  });

  it("rejects a pending IQ with the condition of a stream error", async () => {
    const port = await fakeServer((socket) => {
      socket.once("data", () => {
        socket.write(HEADER + FEATURES);
        socket.once("data", () =>
          socket.end(
            "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" +
              "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>go away</text></stream:error></stream:stream>",
          ),
        );
      });
    });
    const session = await openIbrSession({ port, domain: DOMAIN, timeoutMs: 2000 });
    try {
      const pending = session.register("x", "y", 2000);
      await expect(pending).rejects.toThrow(
        /stream error <policy-violation\/> \(go away\) while waiting for the reply/,
      );
      await expect(pending).rejects.toSatisfy(
        (error: unknown) =>
          error instanceof Error &&
          error.cause instanceof IbrStreamError &&
          error.cause.condition === "policy-violation" &&
          error.cause.text === "go away",
      );
    } finally {
      await session.close();
    }
  });

  it("rejects when the server drops the connection", async () => {
    const port = await fakeServer((socket) => {
      socket.once("data", () => socket.destroy());
    });
    await expect(openIbrSession({ port, domain: DOMAIN, timeoutMs: 2000 })).rejects.toThrow(
      /(connection closed|socket error).*while waiting for the <stream:stream> header/s,
    );
  });
});
