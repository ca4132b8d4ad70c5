/**
 * Credentials only over a protected link: the bot authenticates when the
 * stream is encrypted (STARTTLS or direct TLS, certificate verified by Node's
 * TLS against the system CAs plus NODE_EXTRA_CA_CERTS), or when the server is
 * this very machine (a loopback peer). Anything else is refused before a
 * single credential byte is sent.
 */
import { isIP } from "node:net";
import { xml } from "@xmpp/xml";

export interface LinkInfo {
  isSecure(): boolean;
  socket?: { remoteAddress?: string } | null;
}

export class InsecureLinkError extends Error {
  constructor(peer: string | undefined) {
    super(
      `Refusing to send the password over an unencrypted connection to ${peer ?? "an unknown address"}: ` +
        "the server offered no TLS. Enable TLS on the server (or run the bot on the same machine).",
    );
    this.name = "InsecureLinkError";
  }
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith("127.");
  return plain === "::1";
}

export function mayAuthenticate(link: LinkInfo): boolean {
  return link.isSecure() || isLoopbackAddress(link.socket?.remoteAddress);
}

/**
 * The SASL mechanism to use, in the server's order of preference (RFC 6120 §6.3.3): the first
 * on an encrypted link; otherwise the first that does not send the password itself (not PLAIN).
 * The same choice @xmpp/client makes, without reaching into its private files.
 */
export function chooseMechanism(mechanisms: readonly string[], secure: boolean): string | undefined {
  if (secure) return mechanisms[0];
  return mechanisms.find((mechanism) => mechanism !== "PLAIN");
}

type Authenticate = (credentials: object, mechanism: string, userAgent?: unknown) => Promise<void>;

/** The `credentials` callback for @xmpp/client: checks the link, then authenticates as it would. */
export function guardedCredentials(username: string, password: string) {
  const userAgent = xml("user-agent", { id: globalThis.crypto.randomUUID() });
  return async (authenticate: Authenticate, mechanisms: string[], _fast: unknown, entity: LinkInfo) => {
    if (!mayAuthenticate(entity)) throw new InsecureLinkError(entity.socket?.remoteAddress);
    const credentials = { username, password };
    const mechanism = chooseMechanism(mechanisms, entity.isSecure());
    if (mechanism === undefined) throw new InsecureLinkError(entity.socket?.remoteAddress);
    await authenticate(credentials, mechanism, userAgent);
  };
}
