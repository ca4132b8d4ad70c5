/**
 * What a c2s server offers an unauthenticated client before and after STARTTLS (RFC 6120 §5): a raw stream to
 * 127.0.0.1, its `<stream:features/>`, then `<starttls/>`, the TLS handshake (the certificate checked against `ca`,
 * for `domain`), a new stream and its features. Only features: test/helpers/ibr-client.ts registers (in plain text).
 */
import { connect, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import xmlModule, { type Element } from "@xmpp/xml";
import { NS_STREAM } from "./ibr-client.js";

export const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";

export interface StartTlsFeatures {
  /** The features of the plain stream. */
  plain: Element;
  /** The features of the stream over TLS. */
  secure: Element;
}

/** The parts of @xmpp/xml's Parser used here (see ibr-client.ts). */
interface StreamParser {
  on(event: "element", listener: (element: Element) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  write(data: string): void;
}
const Parser = (xmlModule as unknown as { Parser: new () => StreamParser }).Parser;

/** One stream's top-level elements as they arrive on `socket`, until detach(). */
function streamReader(socket: Socket, timeoutMs: number) {
  const parser = new Parser();
  const arrived: Element[] = [];
  let wake = () => {};
  let failure: Error | undefined;
  parser.on("element", (element) => {
    arrived.push(element);
    wake();
  });
  parser.on("error", (error) => {
    failure = error;
    wake();
  });
  const onData = (data: Buffer) => parser.write(data.toString("utf8"));
  const onClose = () => {
    failure ??= new Error("the server closed the connection");
    wake();
  };
  socket.on("data", onData);
  socket.on("close", onClose);
  return {
    /** Resolves with the first element `wanted` accepts; fails on a stream error, a close or the timeout. */
    async next(wanted: (element: Element) => boolean, what: string): Promise<Element> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = arrived.find(wanted);
        if (found !== undefined) return found;
        const streamError = arrived.find((element) => element.is("error", NS_STREAM));
        const got = arrived.map(String).join("\n");
        if (streamError !== undefined) throw new Error(`stream error while waiting for ${what}: ${got}`);
        if (failure !== undefined) throw new Error(`${failure.message} while waiting for ${what}; got: ${got}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}; got: ${got}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    /** Stops reading: after STARTTLS the bytes on the plain socket are TLS records, not XML. */
    detach() {
      socket.off("data", onData);
      socket.off("close", onClose);
    },
  };
}

function streamHeader(domain: string): string {
  return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAM}' to='${domain}' version='1.0'>`;
}

/** Connects to 127.0.0.1:`port`, reads the features, starts TLS and reads them again; throws if TLS is not offered. */
export async function featuresAroundStartTls(options: {
  port: number;
  domain: string;
  /** PEM of the certificate (or CA) the server's certificate must verify against. */
  ca: string;
  timeoutMs?: number;
}): Promise<StartTlsFeatures> {
  const { port, domain, ca } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const socket = connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  const isFeatures = (element: Element) => element.is("features", NS_STREAM);
  try {
    const plainStream = streamReader(socket, timeoutMs);
    socket.write(streamHeader(domain));
    const plain = await plainStream.next(isFeatures, "the plain stream's features");
    if (plain.getChild("starttls", NS_TLS) === undefined) throw new Error(`no STARTTLS offered: ${plain}`);
    socket.write(`<starttls xmlns='${NS_TLS}'/>`);
    await plainStream.next((element) => element.is("proceed", NS_TLS), "<proceed/>");
    plainStream.detach();
    const tlsSocket = connectTls({ socket, servername: domain, ca });
    tlsSocket.on("error", () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        tlsSocket.once("secureConnect", () => resolve());
        tlsSocket.once("error", reject);
      });
      const secureStream = streamReader(tlsSocket, timeoutMs);
      tlsSocket.write(streamHeader(domain));
      return { plain, secure: await secureStream.next(isFeatures, "the TLS stream's features") };
    } finally {
      tlsSocket.destroy();
    }
  } finally {
    socket.destroy();
  }
}
