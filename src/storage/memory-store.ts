import { type Clock, systemClock } from "../invites/expiry.js";
import type { Invite } from "../invites/invite.js";
import type { ManagedInviteStore, QuotaDecision, StoredInvite } from "../invites/store.js";
import { entriesFor, groupByToken, keysOf } from "./entries.js";
import { inviterKey, tokenKey } from "./keys.js";

/** The same layout as the Redis store, in a Map: for unit tests and the contract suite. */
export class MemoryInviteStore implements ManagedInviteStore {
  readonly entries = new Map<string, { value: unknown; expiresAtMs: number }>();

  constructor(
    private readonly host: string,
    private readonly clock: Clock = systemClock,
  ) {}

  connect(): void {}

  async close(): Promise<void> {}

  async save(invite: Invite): Promise<void> {
    const now = this.clock();
    for (const { key, value, ttl } of entriesFor(this.host, invite, now)) {
      this.entries.set(key, { value: structuredClone(value), expiresAtMs: now + ttl });
    }
  }

  async findByToken(token: string): Promise<Invite | undefined> {
    return this.#get(tokenKey(this.host, token)) as Invite | undefined;
  }

  async findContactExpiry(inviterLocal: string, token: string): Promise<number | undefined> {
    return this.#get(inviterKey(this.host, inviterLocal, token)) as number | undefined;
  }

  async listAll(): Promise<StoredInvite[]> {
    return groupByToken(
      this.host,
      [...this.entries.keys()].map((key) => [key, this.#get(key)] as const),
    );
  }

  async remove(invites: readonly StoredInvite[]): Promise<number> {
    let removed = 0;
    for (const invite of invites) {
      let existed = false;
      for (const key of keysOf(this.host, [invite])) {
        if (this.#get(key) !== undefined) existed = true;
        this.entries.delete(key);
      }
      if (existed) removed += 1;
    }
    return removed;
  }

  readonly #quotas = new Map<string, Map<string, number>>();
  /** invitee → inviter, as the server would record it on use. */
  readonly invitedBy = new Map<string, string>();

  async whoInvited(invitee: string): Promise<string | undefined> {
    return this.invitedBy.get(invitee);
  }

  async inviteesOf(inviter: string): Promise<string[]> {
    return [...this.invitedBy]
      .filter(([, by]) => by === inviter)
      .map(([invitee]) => invitee)
      .sort();
  }

  async reserve(subject: string, limit: number, windowMs: number, member: string): Promise<QuotaDecision> {
    const now = this.clock();
    const taken = this.#quotas.get(subject) ?? new Map<string, number>();
    this.#quotas.set(subject, taken);
    for (const [key, at] of taken) if (at <= now - windowMs) taken.delete(key);
    if (taken.size >= limit) return { allowed: false, retryAtMs: Math.min(...taken.values()) + windowMs };
    taken.set(member, now);
    return { allowed: true };
  }

  async release(subject: string, member: string): Promise<void> {
    this.#quotas.get(subject)?.delete(member);
  }

  #get(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    return structuredClone(entry.value);
  }
}
