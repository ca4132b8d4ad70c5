/** The limits of a requester's invites (QuotaStore) in Maps, as redis-quota.ts keeps them: for unit tests. */
import type { Clock } from "../invites/expiry.js";
import {
  DEFAULT_LIFETIME_MS,
  type QuotaDecision,
  type QuotaRules,
  type QuotaStore,
  RESERVATION_LEASE_MS,
  type Reservation,
} from "../invites/store.js";

export class MemoryQuota implements QuotaStore {
  /** Per subject: reservation → when it was taken (ms). */
  readonly #taken = new Map<string, Map<string, number>>();
  /** Per subject: reservation → when it stops counting as pending (ms). */
  readonly #reserving = new Map<string, Map<string, number>>();

  /** When accounts registered through an invite (Unix seconds), as `joined` in Redis. */
  readonly #joined = new Map<string, number>();

  /** `expiriesOf`: the expiry (Unix seconds) of each invite `subject` made that is still stored. */
  constructor(
    private readonly clock: Clock,
    private readonly expiriesOf: (subject: string) => number[],
  ) {}

  /** `account` registered through an invite at `atSeconds` (the latest registration counts, as ZADD). */
  joined(account: string, atSeconds: number): void {
    this.#joined.set(account, atSeconds);
  }

  async reserve(subject: string, rules: QuotaRules, member: string): Promise<QuotaDecision> {
    const now = this.clock();
    const joined = this.#joined.get(subject);
    if (rules.minAccountAgeMs !== undefined && joined !== undefined && joined * 1000 + rules.minAccountAgeMs > now) {
      return { allowed: false, rule: "account-age", retryAtMs: joined * 1000 + rules.minAccountAgeMs };
    }
    const taken = mapOf(this.#taken, subject);
    const reserving = mapOf(this.#reserving, subject);
    if (rules.limit !== undefined) {
      for (const [key, at] of taken) if (at <= now - rules.windowMs) taken.delete(key);
      if (taken.size >= rules.limit) {
        return { allowed: false, rule: "period", retryAtMs: Math.min(...taken.values()) + rules.windowMs };
      }
    }
    if (rules.maxPending !== undefined) {
      for (const [key, until] of reserving) if (until <= now) reserving.delete(key);
      const lifetime = rules.lifetimeMs ?? DEFAULT_LIFETIME_MS;
      const pending = [
        ...this.expiriesOf(subject)
          .filter((expires) => expires > Math.floor(now / 1000))
          .map((expires) => expires * 1000),
        // A place in flight becomes an invite that lasts `lifetime` from when it was taken.
        ...[...reserving.values()].map((until) => until - RESERVATION_LEASE_MS + lifetime),
      ];
      if (pending.length >= rules.maxPending)
        return { allowed: false, rule: "pending", retryAtMs: Math.min(...pending) };
      reserving.set(member, now + RESERVATION_LEASE_MS);
    }
    if (rules.limit !== undefined) taken.set(member, now);
    return { allowed: true };
  }

  async release(subject: string, member: string): Promise<void> {
    this.#taken.get(subject)?.delete(member);
    this.#reserving.get(subject)?.delete(member);
  }

  /** The invite of `reservation` is saved: it counts as pending through the store from now on. */
  saved(reservation: Reservation | undefined): void {
    if (reservation !== undefined) this.#reserving.get(reservation.subject)?.delete(reservation.member);
  }
}

function mapOf(maps: Map<string, Map<string, number>>, subject: string): Map<string, number> {
  const map = maps.get(subject) ?? new Map<string, number>();
  maps.set(subject, map);
  return map;
}
