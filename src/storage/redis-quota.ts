/**
 * The limits of a requester's invites in Redis (docs/storage.md, "The quota"): so many per rolling period, so many
 * pending at once, an account old enough, a tree within its budget and a chain at its pace, all in one script
 * (redis-quota-script.ts), which the bot runs with the invite's save (redis-invite-writes.ts).
 */
import type { QuotaDecision, QuotaRules, QuotaStore } from "../invites/store.js";
import type { Logger } from "../logger.js";
import { quotaKey, reservingKey } from "./keys.js";
import type { LayoutGate } from "./layout-gate.js";
import type { RedisConnection } from "./redis-connection.js";
import { quotaDecisionOf, quotaScriptCall, warnUncheckedOnce } from "./redis-quota-call.js";
import { RESERVE } from "./redis-quota-script.js";

export class RedisQuota implements QuotaStore {
  readonly #unchecked: () => void;

  constructor(
    private readonly redis: RedisConnection,
    private readonly gate: LayoutGate,
    private readonly host: string,
    log?: Logger,
  ) {
    this.#unchecked = warnUncheckedOnce(log);
  }

  async reserve(subject: string, rules: QuotaRules, member: string): Promise<QuotaDecision> {
    await this.gate.usable("quota");
    const { keys, args } = quotaScriptCall(this.host, { subject, rules, member });
    const reply = await this.redis.bounded("quota", () => RESERVE.run(this.redis.client, keys, args));
    return quotaDecisionOf(reply, this.#unchecked);
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
