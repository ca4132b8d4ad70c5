import { type Clock, systemClock } from "../invites/expiry.js";
import type { Invite } from "../invites/invite.js";
import type { ManagedInviteStore } from "../invites/store.js";
import { entriesFor } from "./entries.js";
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
