import { randomBytes } from "node:crypto";

/** XEP-0050 §3.3: session ids are opaque and unique per requester; random is enough. */
export function newSessionId(): string {
  return randomBytes(9).toString("base64url");
}
