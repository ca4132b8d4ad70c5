/**
 * A tiny DNS server on loopback (RFC 1035 §4, RFC 2782 SRV) that answers SRV
 * questions from a fixed table and says NXDOMAIN to everything else: enough to
 * test that the bot finds its XMPP server the way a client does (RFC 6120 §3.2),
 * without any address but 127.0.0.1.
 */
import { createSocket, type Socket } from "node:dgram";

export interface SrvAnswer {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

export interface DnsServer {
  readonly port: number;
  /** Every question name asked so far, lower case. */
  readonly asked: string[];
  stop(): Promise<void>;
}

const TYPE_SRV = 33;

function encodeName(name: string): Buffer {
  const parts = name.split(".").filter((label) => label !== "");
  return Buffer.concat([
    ...parts.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, "ascii")])),
    Buffer.from([0]),
  ]);
}

/** The question's name and type, and where the question section ends. */
function readQuestion(message: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = [];
  let at = 12;
  for (let length = message[at] ?? 0; length !== 0; length = message[at] ?? 0) {
    labels.push(message.subarray(at + 1, at + 1 + length).toString("ascii"));
    at += length + 1;
  }
  at += 1;
  return { name: labels.join(".").toLowerCase(), type: message.readUInt16BE(at), end: at + 4 };
}

function answer(query: Buffer, records: readonly SrvAnswer[] | undefined, type: number): Buffer {
  const { end } = readQuestion(query);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  const found = records !== undefined && type === TYPE_SRV;
  // QR, AA, RD copied, RA; RCODE 3 (NXDOMAIN) when there is nothing.
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (found ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(found ? records.length : 0, 6);
  const answers = found
    ? records.map((srv) => {
        const target = encodeName(srv.target);
        const rdata = Buffer.alloc(6);
        rdata.writeUInt16BE(srv.priority, 0);
        rdata.writeUInt16BE(srv.weight, 2);
        rdata.writeUInt16BE(srv.port, 4);
        const fixed = Buffer.alloc(12);
        fixed.writeUInt16BE(0xc00c, 0); // the question's name
        fixed.writeUInt16BE(TYPE_SRV, 2);
        fixed.writeUInt16BE(1, 4); // IN
        fixed.writeUInt32BE(60, 6);
        fixed.writeUInt16BE(rdata.length + target.length, 10);
        return Buffer.concat([fixed, rdata, target]);
      })
    : [];
  return Buffer.concat([header, query.subarray(12, end), ...answers]);
}

/** Serves `srv` (question name → records) on 127.0.0.1, on a free UDP port. */
export async function startDnsServer(srv: Readonly<Record<string, readonly SrvAnswer[]>>): Promise<DnsServer> {
  const socket: Socket = createSocket("udp4");
  const asked: string[] = [];
  socket.on("message", (message, remote) => {
    try {
      const { name, type } = readQuestion(message);
      asked.push(name);
      socket.send(answer(message, srv[name], type), remote.port, remote.address);
    } catch {
      // Not a question we can read: no answer, as a real server would drop it.
    }
  });
  await new Promise<void>((resolve, reject) => {
    // Without this, a socket that cannot bind would leave the start waiting for ever.
    const failed = (error: Error): void => {
      socket.close();
      reject(new Error(`the DNS server could not bind 127.0.0.1: ${error.message}`, { cause: error }));
    };
    socket.once("error", failed);
    socket.bind(0, "127.0.0.1", () => {
      socket.off("error", failed);
      resolve();
    });
  });
  return {
    port: socket.address().port,
    asked,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
