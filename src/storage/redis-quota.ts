/**
 * The limits of a requester's invites in Redis (docs/storage.md, "The quota"): so many per rolling period, so many
 * pending at once, an account old enough, a tree within its budget and a chain at its pace, all in one script
 * (redis-quota-script.ts).
 */
import {
  DEFAULT_LIFETIME_MS,
  type QuotaDecision,
  type QuotaRule,
  type QuotaRules,
  type QuotaStore,
  RESERVATION_LEASE_MS,
} from "../invites/store.js";
import type { Logger } from "../logger.js";
import { byInviterKey, hostTag, joinedKey, quotaKey, reservingKey } from "./keys.js";
import type { LayoutGate } from "./layout-gate.js";
import type { RedisConnection } from "./redis-connection.js";
import { RESERVE } from "./redis-quota-script.js";

/** The script's codes of the limits. */
const RULES: Record<number, QuotaRule> = { 1: "period", 2: "pending", 3: "account-age", 4: "tree", 5: "pace" };

export class RedisQuota implements QuotaStore {
  #warnedUnchecked = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly gate: LayoutGate,
    private readonly host: string,
    private readonly log?: Logger,
  ) {}

  async reserve(subject: string, rules: QuotaRules, member: string): Promise<QuotaDecision> {
    await this.gate.usable("quota");
    const keys = [
      quotaKey(this.host, subject),
      byInviterKey(this.host, subject),
      reservingKey(this.host, subject),
      joinedKey(this.host),
    ];
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
      hostTag(this.host),
      ...(rules.exempt ?? []),
    ];
    const reply = (await this.redis.bounded("quota", () => RESERVE.run(this.redis.client, keys, args))) as unknown[];
    const [rule, retryAtMs] = reply.map(Number);
    if (rule === 0) {
      if (retryAtMs === 1 && !this.#warnedUnchecked) {
        this.#warnedUnchecked = true;
        this.log?.warn("The bot's Redis user may not send ZSCORE: account ages are not checked (docs/security.md)", {
          rule: "INVITE_MIN_ACCOUNT_AGE",
        });
      }
      return { allowed: true };
    }
    return { allowed: false, rule: RULES[rule ?? 1] ?? "period", retryAtMs: retryAtMs ?? 0 };
  }

  async release(subject: string, member: string): Promise<void> {
    await this.gate.usable("quota");
    await this.redis.bounded("quota", async () => {
      await this.redis.client
        .multi()
        .zRem(quotaKey(this.host, subject), member)
        .zRem(reservingKey(this.host, subject), member)
        .exec();
    });
  }
}
