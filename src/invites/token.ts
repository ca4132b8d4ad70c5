import { randomBytes } from "node:crypto";

/** 18 bytes → 24 base64url characters, the size of Prosody's `util.id.medium()`. */
export const TOKEN_BYTES = 18;
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{24}$/u;

export type RandomSource = (size: number) => Buffer;

/** A new invite token from a CSPRNG, the size of Prosody's id.medium() (docs/storage.md, "Names"). */
export function generateToken(random: RandomSource = randomBytes): string {
  return random(TOKEN_BYTES).toString("base64url");
}
