/**
 * keyv's envelope around a stored value (docs/storage.md, "The invite record"): `{"value": …, "expires": <ms>}`,
 * plain JSON, the bytes Prosody reads and writes too (`envelope_value` in prosody/invites_redis_store.lib.lua). The one
 * place the bot writes it and reads it: keyv reads records through `decodeEnvelope` (redis-invite-reads.ts), the
 * claims (redis-claims.ts) and the migration (migrate-v1.ts) call it themselves.
 */

/** An envelope as read: whatever `value` and `expires` hold (keyv drops it when `expires` is a past time). */
export interface Envelope {
  readonly value: unknown;
  readonly expires: unknown;
}

/** The text of `value` in its envelope, expiring at `expiresMs` (unix milliseconds, the same instant as the TTL). */
export function encodeEnvelope(value: unknown, expiresMs: number): string {
  return JSON.stringify({ value, expires: expiresMs });
}

/** The envelope in `text`, or undefined for anything that is not one of ours (no text, not JSON, not an object). */
export function decodeEnvelope(text: string | null | undefined): Envelope | undefined {
  if (text === null || text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { value, expires } = parsed as { value?: unknown; expires?: unknown };
  return { value, expires };
}

/** The value inside the envelope in `text`, or undefined. */
export function envelopeValue(text: string | null | undefined): unknown {
  return decodeEnvelope(text)?.value;
}
