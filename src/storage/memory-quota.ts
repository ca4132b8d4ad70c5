/** The limits of a requester's invites (QuotaStore) in Maps, as redis-quota-script.ts checks them: for unit tests. */
import type { Clock } from "../invites/expiry.js";
import {
  DEFAULT_LIFETIME_MS,
  type QuotaClaim,
  type QuotaDecision,
  QuotaRefusedError,
  type QuotaRules,
  type QuotaStore,
  RESERVATION_LEASE_MS,
  usesOfMember,
} from "../invites/store.js";

/** What the limits read of the store's invites and who invited whom. */
export interface QuotaView {
  /** Each unexpired invite `subject` made: its expiry (Unix seconds) and the accounts it can still register. */
  invitesOf(subject: string): readonly { readonly expires: number; readonly registrations: number }[];
  invitedBy(account: string): string | undefined;
  inviteesOf(account: string): readonly string[];
}

export class MemoryQuota implements QuotaStore {
  /** Per subject: reservation → when it was taken (ms). */
  readonly #taken = new Map<string, Map<string, number>>();
  /** Per subject: reservation → when it stops counting as pending (ms). */
  readonly #reserving = new Map<string, Map<string, number>>();

  /** When accounts registered through an invite (Unix seconds), as `joined` in Redis. */
  readonly #joined = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly view: QuotaView,
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
    const inviter = this.#inviterOf(subject, rules);
    const inviterJoined = inviter === undefined ? undefined : this.#joined.get(inviter);
    if (rules.chainPaceMs !== undefined && inviterJoined !== undefined) {
      const paceEnds = inviterJoined * 1000 + rules.chainPaceMs;
      if (paceEnds > now) return { allowed: false, rule: "pace", retryAtMs: paceEnds };
    }
    const taken = mapOf(this.#taken, subject);
    const reserving = mapOf(this.#reserving, subject);
    if (rules.limit !== undefined) {
      for (const [key, at] of taken) if (at <= now - rules.windowMs) taken.delete(key);
      if (taken.size >= rules.limit) {
        return { allowed: false, rule: "period", retryAtMs: Math.min(...taken.values()) + rules.windowMs };
      }
    }
    for (const [key, until] of reserving) if (until <= now) reserving.delete(key);
    if (rules.maxPending !== undefined) {
      const lifetime = rules.lifetimeMs ?? DEFAULT_LIFETIME_MS;
      const pending = [
        ...this.view.invitesOf(subject).map(({ expires }) => expires * 1000),
        // A place in flight becomes an invite that lasts `lifetime` from when it was taken.
        ...[...reserving.values()].map((until) => until - RESERVATION_LEASE_MS + lifetime),
      ];
      if (pending.length >= rules.maxPending)
        return { allowed: false, rule: "pending", retryAtMs: Math.min(...pending) };
    }
    if (rules.treeMax !== undefined && (rules.uses ?? 1) > 0) {
      const refused = this.#treeRefusal(subject, rules, rules.treeMax);
      if (refused !== undefined) return refused;
    }
    if (rules.maxPending !== undefined || rules.treeMax !== undefined)
      reserving.set(member, now + RESERVATION_LEASE_MS);
    if (rules.limit !== undefined) taken.set(member, now);
    return { allowed: true };
  }

  /** Whoever invited `account`, unless exempt. */
  #inviterOf(account: string, rules: QuotaRules): string | undefined {
    const inviter = this.view.invitedBy(account);
    return inviter === undefined || rules.exempt?.includes(inviter) ? undefined : inviter;
  }

  /** The tree budget, as the script counts it: accounts, registrations pending and places in flight. */
  #treeRefusal(subject: string, rules: QuotaRules, treeMax: number): QuotaDecision | undefined {
    const now = this.clock();
    const uses = rules.uses ?? 1;
    let root = subject;
    const seen = new Set([subject]);
    for (let up = this.#inviterOf(root, rules); up !== undefined && !seen.has(up); up = this.#inviterOf(root, rules)) {
      seen.add(up);
      root = up;
    }
    let accounts = 0;
    let count = 0;
    let soonest: number | undefined;
    const queue = [root];
    const listed = new Set(queue);
    for (let account = queue.shift(); account !== undefined; account = queue.shift()) {
      for (const { expires, registrations } of this.view.invitesOf(account)) {
        if (registrations === 0) continue;
        count += registrations;
        soonest = Math.min(soonest ?? Infinity, expires * 1000);
      }
      for (const [place, until] of this.#reserving.get(account) ?? []) {
        if (until <= now) continue;
        count += usesOfMember(place);
        soonest = Math.min(
          soonest ?? Infinity,
          until - RESERVATION_LEASE_MS + (rules.lifetimeMs ?? DEFAULT_LIFETIME_MS),
        );
      }
      for (const invitee of this.view.inviteesOf(account)) {
        if (listed.has(invitee)) continue;
        listed.add(invitee);
        accounts += 1;
        queue.push(invitee);
      }
      if (accounts + uses > treeMax) return { allowed: false, rule: "tree", retryAtMs: 0 };
    }
    if (accounts + count + uses <= treeMax) return undefined;
    return { allowed: false, rule: "tree", retryAtMs: soonest ?? 0 };
  }

  async release(subject: string, member: string): Promise<void> {
    this.#taken.get(subject)?.delete(member);
    this.#reserving.get(subject)?.delete(member);
  }

  /** Takes `claim`'s place for the invite about to be saved, or throws QuotaRefusedError (InviteStore.save). */
  async claim(claim: QuotaClaim): Promise<void> {
    const decision = await this.reserve(claim.subject, claim.rules, claim.member);
    if (!decision.allowed) throw new QuotaRefusedError(decision);
  }

  /** The invite of `claim` is saved: it counts as pending through the store, not as a place in flight. */
  saved(claim: QuotaClaim | undefined): void {
    if (claim !== undefined) this.#reserving.get(claim.subject)?.delete(claim.member);
  }
}

function mapOf(maps: Map<string, Map<string, number>>, subject: string): Map<string, number> {
  const map = maps.get(subject) ?? new Map<string, number>();
  maps.set(subject, map);
  return map;
}
