/**
 * Calling the quota scripts (redis-quota-script.ts): their KEYS and ARGV for a claim, and their reply read as a
 * decision; shared by the place in flight (redis-quota.ts) and the save that takes its place (redis-invite-writes.ts).
 */
import {
  DEFAULT_LIFETIME_MS,
  type QuotaClaim,
  type QuotaDecision,
  type QuotaRule,
  RESERVATION_LEASE_MS,
} from "../invites/store.js";
import type { Logger } from "../logger.js";
import { byInviterKey, hostTag, joinedKey, quotaKey, reservingKey } from "./keys.js";

/** The script's codes of the limits. */
const RULES: Record<number, QuotaRule> = { 1: "period", 2: "pending", 3: "account-age", 4: "tree", 5: "pace" };

/** A quota script's KEYS and ARGV for `claim` (redis-quota-script.ts), before any writes. */
export function quotaScriptCall(host: string, claim: QuotaClaim): { keys: string[]; args: string[] } {
  const { subject, rules, member } = claim;
  const exempt = rules.exempt ?? [];
  const keys = [quotaKey(host, subject), byInviterKey(host, subject), reservingKey(host, subject), joinedKey(host)];
  const args = [
    String(Date.now()),
    String(rules.windowMs),
    String(rules.limit ?? -1),
    member,
    String(rules.maxPending ?? -1),
    String(RESERVATION_LEASE_MS),
    String(rules.lifetimeMs ?? DEFAULT_LIFETIME_MS),
    String(rules.minAccountAgeMs ?? -1),
    subject,
    String(rules.treeMax ?? -1),
    String(rules.chainPaceMs ?? -1),
    String(rules.uses ?? 1),
    hostTag(host),
    String(exempt.length),
    ...exempt,
  ];
  return { keys, args };
}

/** Reads a quota script's reply; `unchecked` hears when account ages could not be read (an ACL without ZSCORE). */
export function quotaDecisionOf(reply: unknown, unchecked: () => void): QuotaDecision {
  const [rule, retryAtMs] = (reply as unknown[]).map(Number);
  if (rule === 0) {
    if (retryAtMs === 1) unchecked();
    return { allowed: true };
  }
  return { allowed: false, rule: RULES[rule ?? 1] ?? "period", retryAtMs: retryAtMs ?? 0 };
}

/** Warns once per process that account ages are not checked (the Redis user may not send ZSCORE). */
export function warnUncheckedOnce(log: Logger | undefined): () => void {
  let warned = false;
  return () => {
    if (warned) return;
    warned = true;
    log?.warn("The bot's Redis user may not send ZSCORE: account ages are not checked (docs/security.md)", {
      rule: "INVITE_MIN_ACCOUNT_AGE",
    });
  };
}
