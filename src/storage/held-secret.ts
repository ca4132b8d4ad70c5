/**
 * The secret of a registration the bot holds before creation (src/invites/approvals.ts, `pending`): the visitor's
 * password and the invite's record, kept in Redis only encrypted, with AES-256-GCM under a key derived from the
 * invite signing key (HMAC-SHA256 of HELD_CONTEXT), so a Redis dump alone tells nothing and a changed entry does not
 * decrypt. The account's JID and host are the additional data: a secret moved to another entry does not decrypt
 * either. Old signing keys still decrypt, as they still verify records (docs/storage.md, "The tag").
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import type { HeldRegistration } from "../invites/approvals.js";
import type { InviteRecord } from "../invites/record.js";
import type { SigningKeys } from "./record.js";

/** Neither a record tag's context nor an event's: no key here is a MAC key anywhere else. */
const HELD_CONTEXT = "xmpp-invite-bot/held-secret/0";
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyOf(signingKey: string): Buffer {
  return createHmac("sha256", signingKey).update(HELD_CONTEXT).digest();
}

function additionalData(host: string, jid: string): Buffer {
  return Buffer.from(`${host}\n${jid}`);
}

/** base64url(iv ‖ GCM tag ‖ ciphertext) of the registration's JSON, with the current key. */
export function sealRegistration(keys: SigningKeys, host: string, jid: string, held: HeldRegistration): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyOf(keys.current), iv);
  cipher.setAAD(additionalData(host, jid));
  const text = JSON.stringify({ password: held.password, record: held.record });
  const sealed = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
}

/** The registration sealed for this account, with the current or an old key; undefined when none opens it. */
export function openRegistration(
  keys: SigningKeys,
  host: string,
  jid: string,
  secret: string,
): HeldRegistration | undefined {
  const bytes = Buffer.from(secret, "base64url");
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  for (const key of [keys.current, ...keys.old]) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", keyOf(key), bytes.subarray(0, IV_BYTES));
      decipher.setAAD(additionalData(host, jid));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      const parsed = JSON.parse(text.toString("utf8")) as { password?: unknown; record?: unknown };
      if (typeof parsed.password !== "string" || typeof parsed.record !== "object" || parsed.record === null) {
        return undefined;
      }
      return { password: parsed.password, record: parsed.record as InviteRecord };
    } catch {
      // Not this key (or not ours): the next one, if any.
    }
  }
  return undefined;
}
