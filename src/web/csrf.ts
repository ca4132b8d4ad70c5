/**
 * Forged POSTs (docs/web.md, "Safety"): a form is accepted only from our own origin, with a token tied to the
 * invite and to a nonce kept in a cookie of the visitor's browser (HttpOnly, SameSite=Strict). The token is an
 * HMAC, so the bot stores nothing for it; another site can neither read the cookie nor make its token.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const CSRF_COOKIE = "invite_csrf";
export const CSRF_FIELD = "csrf";

/** A key for CSRF tokens only, derived from the signing key (so one secret is configured, and not reused as is). */
export function csrfKey(signingKey: string): Buffer {
  return createHmac("sha256", signingKey).update("xmpp-invite-bot web form tokens v1").digest();
}

export function newNonce(): string {
  return randomBytes(18).toString("base64url");
}

export function isNonce(text: string | undefined): text is string {
  return text !== undefined && /^[A-Za-z0-9_-]{24}$/u.test(text);
}

/** The form token for this invite (by the hash of its token) in the browser holding `nonce`. */
export function csrfToken(key: Buffer, inviteHash: string, nonce: string): string {
  return createHmac("sha256", key).update(`${inviteHash}\n${nonce}`).digest("base64url");
}

export function csrfTokenMatches(key: Buffer, inviteHash: string, nonce: string, token: unknown): boolean {
  if (typeof token !== "string") return false;
  const expected = Buffer.from(csrfToken(key, inviteHash, nonce));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Whether a POST comes from a page of `origin`. `Sec-Fetch-Site` (Fetch Metadata) must be same-origin (or none:
 * typed by the user). `Origin` must be ours exactly, except that a browser sends `Origin: null` from our own
 * pages, whose `Referrer-Policy: no-referrer` hides the origin too (Fetch §3.2.5); "null" passes only with
 * `Sec-Fetch-Site: same-origin` vouching for it. A client that sends neither header still needs the form's token
 * and the cookie.
 */
export function fromOwnOrigin(headers: { origin?: string; "sec-fetch-site"?: string }, origin: string): boolean {
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const from = headers.origin;
  if (from === undefined || from === origin) return true;
  return from === "null" && site === "same-origin";
}
