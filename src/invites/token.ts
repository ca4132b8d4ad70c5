import { createHash, randomBytes } from "node:crypto";

/** 18 bytes → 24 base64url characters, the size of Prosody's `util.id.medium()`. */
export const TOKEN_BYTES = 18;
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{24}$/u;

export type RandomSource = (size: number) => Buffer;

/** A new invite token from a CSPRNG, the size of Prosody's id.medium() (docs/storage.md, "Names"). */
export function generateToken(random: RandomSource = randomBytes): string {
  return random(TOKEN_BYTES).toString("base64url");
}

/** base64url(SHA-256(token)), 43 characters: the name of an invite in storage (docs/storage.md, "Names"). */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** The short id lists and use events show: the first 8 characters of the token's hash. */
export function idOfHash(hash: string): string {
  return hash.slice(0, 8);
}

/**
 * Whether `text` can be an invite token at all: Prosody's and ours are base64url, 8 to 128 characters (the
 * Prosody module refuses anything else the same way, `plausible_token`). Anything else needs no lookup.
 */
export function isPlausibleToken(text: string): boolean {
  return /^[A-Za-z0-9_-]{8,128}$/u.test(text);
}

/** Whether `text` has the shape of a short id (8 base64url characters). */
export function isInviteId(text: string): boolean {
  return /^[A-Za-z0-9_-]{8}$/u.test(text);
}
