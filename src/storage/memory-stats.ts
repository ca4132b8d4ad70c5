/**
 * The summary's logs in memory (src/invites/stats.ts), kept by MemoryInviteStore as the Redis writes keep theirs
 * (redis-invite-stats.ts): the same entries, for unit tests and the contract suite.
 */
import type { Clock } from "../invites/expiry.js";
import { type InviteRecord, kindOf } from "../invites/record.js";
import type { InviteCounts, InviteStats, NotedUse } from "../invites/stats.js";

const DAY_SECONDS = 86_400;

export class MemoryInviteStats implements InviteStats {
  /** id → when it was created. */
  readonly #created = new Map<string, number>();
  /** id → its expiry, until it is used up or revoked. */
  readonly #expiring = new Map<string, number>();
  /** stream entry id → when the use was. */
  readonly #used = new Map<string, number>();

  /** `isPending(id)`: whether a pending invite still has this id. */
  constructor(
    private readonly clock: Clock,
    private readonly isPending: (id: string) => boolean,
  ) {}

  saved(id: string, record: InviteRecord): void {
    if (kindOf(record) === "reset") return;
    this.#created.set(id, record.created_at);
    this.#expiring.set(id, record.expires);
  }

  /** Revoked: it will not expire. */
  ended(id: string): void {
    this.#expiring.delete(id);
  }

  expiryMoved(id: string, expires: number): void {
    if (this.#expiring.has(id)) this.#expiring.set(id, expires);
  }

  async noteUse({ entryId, invite, at }: NotedUse): Promise<void> {
    this.#used.set(entryId, at);
    if (invite === undefined || this.isPending(invite)) return;
    if ((this.#expiring.get(invite) ?? 0) > this.clock() / 1000) this.#expiring.delete(invite);
  }

  async counts(now: number, days: readonly number[]): Promise<InviteCounts[]> {
    const within = (log: Map<string, number>, since: number, until: number) =>
      [...log.values()].filter((at) => at > since && at <= until).length;
    return days.map((window) => {
      const since = now - window * DAY_SECONDS;
      return {
        days: window,
        created: within(this.#created, since, Infinity),
        used: within(this.#used, since, Infinity),
        expired: within(this.#expiring, since, now),
      };
    });
  }
}
