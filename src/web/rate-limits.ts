/**
 * Rate limits of the web pages (docs/web.md, "Safety"): page views and registration attempts per client address,
 * counted first and in this process's memory (address-counters.ts), then registration attempts per invite, counted
 * in Redis so that every bot instance shares them, and only for an invite that exists. Fixed windows: simple, one
 * round trip, and at worst twice the limit across a window's edge.
 */

import type { HitCounter } from "../invites/store.js";

export interface Limit {
  readonly limit: number;
  readonly windowMs: number;
}

export interface WebLimits {
  /** Invite pages (each costs a Redis lookup) per client address. */
  readonly viewsPerAddress: Limit;
  /** Registration and reset attempts per client address. */
  readonly postsPerAddress: Limit;
  /** Registration attempts on one existing invite, from anywhere (a shared link guessed at by many). */
  readonly postsPerInvite: Limit;
}

export const DEFAULT_WEB_LIMITS: WebLimits = {
  viewsPerAddress: { limit: 60, windowMs: 60_000 },
  postsPerAddress: { limit: 10, windowMs: 600_000 },
  postsPerInvite: { limit: 20, windowMs: 3_600_000 },
};

export type LimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Counts a hit on each key; refused when any is over its limit, retrying when the longest of those ends. */
export async function checkLimits(
  counter: HitCounter,
  checks: readonly { readonly key: string; readonly limit: Limit }[],
): Promise<LimitDecision> {
  const results = await Promise.all(checks.map(({ key, limit }) => counter.hit(key, limit.windowMs)));
  let retryAfterMs = 0;
  for (const [i, { count, resetInMs }] of results.entries()) {
    if (count > (checks[i]?.limit.limit ?? Number.POSITIVE_INFINITY)) retryAfterMs = Math.max(retryAfterMs, resetInMs);
  }
  return retryAfterMs === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
}

/**
 * The part of a client address that names one client: an IPv4 address, or the /64 of an IPv6 one (one
 * household or server usually has a whole /64, and would otherwise get a fresh limit per address).
 */
export function clientKey(address: string): string {
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (!plain.includes(":")) return plain;
  const [head = "", tail = ""] = plain.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = plain.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/u, ""))
    .join(":")}::/64`;
}
