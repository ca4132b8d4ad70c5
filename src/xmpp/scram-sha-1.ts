/**
 * SCRAM-SHA-1 (RFC 5802) for @xmpp/client's SASL, with the salted password computed by one native PBKDF2 call.
 *
 * Why: the mechanism xmpp.js ships (sasl-scram-sha-1) computes Hi() as 10,000 (Prosody's default iteration count)
 * asynchronous WebCrypto HMAC calls, about 1.3 s of a 1.6 s start on a 2-core machine. Hi() is PBKDF2 with
 * HMAC-SHA-1 and a 20-byte key (RFC 5802 §2.2), which node:crypto computes in one call off the main thread in a few
 * milliseconds. It also checks what the library leaves unchecked: the server's nonce must start with ours (§5.1),
 * and the server's signature, when the server sends it back (SASL2's additional data, XEP-0388), must match (§3).
 */
import { createHash, createHmac, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";

const pbkdf2Async = promisify(pbkdf2);
const SHA1_BYTES = 20;

export const SCRAM_SHA_1 = "SCRAM-SHA-1";

interface ScramCredentials {
  readonly username?: string | null;
  readonly password?: string | null;
  readonly authzid?: string | null;
}

/** RFC 5802 §5.1 saslname: "," and "=" escaped. */
export function saslName(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/** A server message's attributes (`r=…,s=…,i=…`); values may contain "=" (base64), never ",". */
function attributes(message: string): Map<string, string> {
  return new Map(message.split(",").map((part) => [part.slice(0, 1), part.slice(2)] as const));
}

const hmac = (key: Buffer, data: string) => createHmac("sha1", key).update(data).digest();

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, at) => byte ^ (b[at] as number)));
}

export class ScramSha1 {
  /** What saslmechanisms' factory and @xmpp/sasl read. */
  readonly name = SCRAM_SHA_1;
  readonly clientFirst = true;

  readonly #clientNonce: string;
  #stage: "first" | "final" | "done" = "first";
  #gs2Header = "";
  #clientFirstBare = "";
  #serverFirst = "";
  #expectedServerSignature: string | undefined;

  /** `clientNonce` only for RFC 5802's test vector; otherwise 18 random bytes. */
  constructor(clientNonce: string = randomBytes(18).toString("base64")) {
    this.#clientNonce = clientNonce;
  }

  /** Takes the server-first message (a SASL <challenge>). */
  challenge(message: string): this {
    this.#serverFirst = message;
    return this;
  }

  async response(credentials: ScramCredentials): Promise<string> {
    if (this.#stage === "first") return this.#clientFirst(credentials);
    if (this.#stage === "final") return this.#clientFinal(credentials);
    return "";
  }

  /** SASL2's <success> additional data: the server-final message (`v=` its signature, or `e=` an error). */
  final(message: string): void {
    const server = attributes(message);
    const error = server.get("e");
    if (error !== undefined) throw new Error(`SCRAM-SHA-1: the server reported ${error}`);
    if (server.get("v") !== this.#expectedServerSignature) {
      throw new Error("SCRAM-SHA-1: the server's signature does not match; it may not know the password");
    }
  }

  #clientFirst({ username, authzid }: ScramCredentials): string {
    this.#gs2Header = `n,${authzid ? `a=${saslName(authzid)}` : ""},`;
    this.#clientFirstBare = `n=${saslName(username ?? "")},r=${this.#clientNonce}`;
    this.#stage = "final";
    return this.#gs2Header + this.#clientFirstBare;
  }

  async #clientFinal({ password }: ScramCredentials): Promise<string> {
    const server = attributes(this.#serverFirst);
    const nonce = server.get("r") ?? "";
    const iterations = Number(server.get("i"));
    if (!nonce.startsWith(this.#clientNonce) || nonce.length === this.#clientNonce.length) {
      throw new Error("SCRAM-SHA-1: the server's nonce does not extend ours");
    }
    if (!Number.isSafeInteger(iterations) || iterations < 1) {
      throw new Error("SCRAM-SHA-1: the server sent no usable iteration count");
    }
    const salt = Buffer.from(server.get("s") ?? "", "base64");
    const salted = await pbkdf2Async(password ?? "", salt, iterations, SHA1_BYTES, "sha1");
    const withoutProof = `c=${Buffer.from(this.#gs2Header).toString("base64")},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const clientKey = hmac(salted, "Client Key");
    const storedKey = createHash("sha1").update(clientKey).digest();
    const proof = xor(clientKey, createHmac("sha1", storedKey).update(authMessage).digest());
    this.#expectedServerSignature = createHmac("sha1", hmac(salted, "Server Key")).update(authMessage).digest("base64");
    this.#stage = "done";
    return `${withoutProof},p=${proof.toString("base64")}`;
  }
}

/** The factory @xmpp/client authenticates through; only its `create` is used here. */
export interface SaslFactory {
  create(names: string[]): unknown;
}

/**
 * Makes `factory` (an @xmpp/client's saslFactory) answer SCRAM-SHA-1 with ScramSha1; other mechanisms as before.
 * @xmpp/sasl and @xmpp/sasl2 ask the factory for exactly one mechanism, the one chosen (credentials.ts).
 */
export function useNativeScramSha1(factory: SaslFactory): void {
  const libraryCreate = factory.create.bind(factory);
  factory.create = (names) => (names.length === 1 && names[0] === SCRAM_SHA_1 ? new ScramSha1() : libraryCreate(names));
}
