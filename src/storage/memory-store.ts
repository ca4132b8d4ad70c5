import { type Clock, systemClock } from "../invites/expiry.js";
import type { Invite } from "../invites/invite.js";
import { boundLocalOf, inviterOf, kindOf, maxUsesOf, recordOf, registrationsLeft } from "../invites/record.js";
import { editedRecord, usesCapOf } from "../invites/record-edit.js";
import type {
  EditOutcome,
  HitCounter,
  InviteEdit,
  InvitePage,
  InviteStore,
  PageQuery,
  QuotaClaim,
  QuotaDecision,
  QuotaRules,
  QuotaStore,
  RelationsStore,
  StoredInvite,
} from "../invites/store.js";
import { idOfHash, tokenHash } from "../invites/token.js";
import type { StorageBackend } from "./backend.js";
import { MemoryApiKeys } from "./memory-api-keys.js";
import { MemoryCircles } from "./memory-circles.js";
import { MemoryConsoleStore } from "./memory-console.js";
import { memoryHitCounter } from "./memory-hits.js";
import { MemoryLeaderLease } from "./memory-leader.js";
import { MemoryQuota } from "./memory-quota.js";
import { MemoryInviteStats } from "./memory-stats.js";

/**
 * A storage backend in memory, for tests and trying the bot without Redis: one store serves the invites, the quota
 * and the relations, with its hit counter, and the circles their own (memory-circles.ts); no claims (the bot cannot
 * be the registration hook) and no event stream.
 */
export function memoryBackend(
  store: MemoryInviteStore = new MemoryInviteStore(),
  circles: MemoryCircles = new MemoryCircles(),
): StorageBackend {
  return {
    invites: store,
    quota: store,
    relations: store,
    hits: store.hitCounter(),
    circles,
    console: new MemoryConsoleStore(),
    apiKeys: new MemoryApiKeys(),
    stats: store.stats,
    leader: leasesByAccount(),
    start() {},
    async stop() {},
  };
}

/** One lease per bot account, as Redis keeps them. */
function leasesByAccount(): (account: string) => MemoryLeaderLease {
  const leases = new Map<string, MemoryLeaderLease>();
  return (account) => {
    const lease = leases.get(account) ?? new MemoryLeaderLease();
    leases.set(account, lease);
    return lease;
  };
}

/** The same behaviour as the Redis store, in Maps: for unit tests and the contract suite. */
export class MemoryInviteStore implements InviteStore, QuotaStore, RelationsStore {
  readonly #invites = new Map<string, StoredInvite>();
  readonly #quota: MemoryQuota;
  readonly #invitedBy = new Map<string, string>();
  readonly #invitees = new Map<string, Set<string>>();
  /** When accounts registered through an invite (Unix seconds), as `joined` in Redis: the invite tree's dates. */
  readonly #joined = new Map<string, number>();
  /** The summary's logs, kept by save, remove and edit as the Redis writes keep theirs. */
  readonly stats: MemoryInviteStats;

  constructor(private readonly clock: Clock = systemClock) {
    this.#quota = new MemoryQuota(clock, {
      invitesOf: (subject) =>
        this.#live()
          .filter(({ record }) => inviterOf(record) === subject)
          .map(({ record, used }) => ({ expires: record.expires, registrations: registrationsLeft(record, used) })),
      invitedBy: (account) => this.#invitedBy.get(account),
      inviteesOf: (account) => [...(this.#invitees.get(account) ?? [])],
    });
    this.stats = new MemoryInviteStats(clock, (id) => this.#live().some((stored) => idOfHash(stored.hash) === id));
  }

  async save(invite: Invite, claim?: QuotaClaim): Promise<void> {
    if (claim !== undefined) await this.#quota.claim(claim);
    const hash = tokenHash(invite.token);
    const record = recordOf(invite);
    this.#invites.set(hash, { hash, record: structuredClone(record), used: 0 });
    this.#quota.saved(claim);
    this.stats.saved(idOfHash(hash), record);
  }

  async listPage({ inviter, kind, expiresBy, offset, limit }: PageQuery): Promise<InvitePage> {
    const all = this.#live()
      .filter(({ record }) => inviter === undefined || inviterOf(record) === inviter)
      .filter(
        ({ record }) => (kind === undefined || kindOf(record) === kind) && record.expires <= (expiresBy ?? Infinity),
      )
      .sort((a, b) => a.record.expires - b.record.expires || (a.hash < b.hash ? -1 : 1));
    return { invites: all.slice(offset, offset + limit).map((s) => structuredClone(s)), total: all.length };
  }

  async findById(id: string): Promise<StoredInvite[]> {
    return this.#live()
      .filter((stored) => idOfHash(stored.hash) === id)
      .map((s) => structuredClone(s));
  }

  async findByToken(token: string): Promise<StoredInvite | undefined> {
    const hash = tokenHash(token);
    const found = this.#live().find((stored) => stored.hash === hash);
    return found === undefined ? undefined : structuredClone(found);
  }

  async boundTo(local: string): Promise<StoredInvite[]> {
    const name = local.toLowerCase();
    return this.#live()
      .filter(({ record }) => boundLocalOf(record) === name)
      .map((s) => structuredClone(s));
  }

  /** Rate-limit counters in fixed windows, on the store's clock. */
  hitCounter(): HitCounter {
    return memoryHitCounter(this.clock);
  }

  async remove(invites: readonly StoredInvite[]): Promise<number> {
    let removed = 0;
    for (const { hash } of invites) {
      this.stats.ended(idOfHash(hash));
      if (this.#invites.delete(hash)) removed += 1;
    }
    return removed;
  }

  /** The same checks and outcome as the Redis script (redis-invite-edit.ts), on the record as stored now. */
  async edit(hash: string, change: InviteEdit): Promise<EditOutcome> {
    const stored = this.#live().find((each) => each.hash === hash);
    if (stored === undefined) return { ok: false, reason: "gone" };
    const record = editedRecord(stored.record, change);
    const cap = usesCapOf(record);
    if (cap >= 0 && stored.used >= Math.max(cap, 1)) return { ok: false, reason: "used" };
    const edited = { hash, record, used: maxUsesOf(record) === undefined ? 0 : stored.used };
    this.#invites.set(hash, edited);
    this.stats.expiryMoved(idOfHash(hash), record.expires);
    return { ok: true, invite: structuredClone(edited) };
  }

  /** Takes one use of a stored invite as the server's claim does (for tests): counted ones count, the last removes. */
  takeUse(hash: string): boolean {
    const stored = this.#live().find((each) => each.hash === hash);
    if (stored === undefined) return false;
    const cap = usesCapOf(stored.record);
    if (cap < 0) return true;
    const used = stored.used + 1;
    if (used >= Math.max(cap, 1)) this.#invites.delete(hash);
    else this.#invites.set(hash, { ...stored, used });
    return true;
  }

  /**
   * Records a use as the server does: the first inviter stays, every invitee is added; `registeredAt` (Unix
   * seconds), a registration: when the account joined, for the policy's account age.
   */
  recordUse(inviter: string, invitee: string, registeredAt?: number): void {
    if (registeredAt !== undefined) this.#quota.joined(invitee, registeredAt);
    if (registeredAt !== undefined) this.#joined.set(invitee, registeredAt);
    if (!this.#invitedBy.has(invitee)) this.#invitedBy.set(invitee, inviter);
    const invitees = this.#invitees.get(inviter) ?? new Set<string>();
    this.#invitees.set(inviter, invitees.add(invitee));
  }

  async whoInvited(invitee: string): Promise<string | undefined> {
    return this.#invitedBy.get(invitee);
  }

  async inviteesOf(inviter: string): Promise<string[]> {
    return [...(this.#invitees.get(inviter) ?? [])].sort();
  }

  async joinedAt(jids: readonly string[]): Promise<ReadonlyMap<string, number>> {
    return new Map(jids.flatMap((jid) => (this.#joined.has(jid) ? [[jid, this.#joined.get(jid) as number]] : [])));
  }

  reserve(subject: string, rules: QuotaRules, member: string): Promise<QuotaDecision> {
    return this.#quota.reserve(subject, rules, member);
  }

  release(subject: string, member: string): Promise<void> {
    return this.#quota.release(subject, member);
  }

  #live(): StoredInvite[] {
    const nowSeconds = this.clock() / 1000;
    for (const [hash, stored] of this.#invites) if (stored.record.expires <= nowSeconds) this.#invites.delete(hash);
    return [...this.#invites.values()];
  }
}
