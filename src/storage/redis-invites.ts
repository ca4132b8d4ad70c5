/**
 * The invite records in Redis (docs/storage.md, layout v3), the domain's InviteStore: reads (redis-invite-reads.ts)
 * and writes (redis-invite-writes.ts, redis-invite-edit.ts, with the summary's logs: redis-invite-stats.ts) on the
 * bot's connection, none let through before the layout is checked.
 */
import type { Invite } from "../invites/invite.js";
import type {
  EditOutcome,
  InviteEdit,
  InvitePage,
  InviteStore,
  PageQuery,
  QuotaClaim,
  StoredInvite,
} from "../invites/store.js";
import { idOfHash } from "../invites/token.js";
import type { Logger } from "../logger.js";
import type { LayoutGate } from "./layout-gate.js";
import type { SigningKeys } from "./record.js";
import type { RedisConnection } from "./redis-connection.js";
import { RedisInviteEdit } from "./redis-invite-edit.js";
import { RedisInviteReads } from "./redis-invite-reads.js";
import type { RedisInviteStats } from "./redis-invite-stats.js";
import { RedisInviteWrites } from "./redis-invite-writes.js";

export class RedisInvites implements InviteStore {
  readonly #gate: LayoutGate;
  readonly #reads: RedisInviteReads;
  readonly #writes: RedisInviteWrites;
  readonly #edits: RedisInviteEdit;
  readonly #stats: RedisInviteStats;
  readonly #log: Logger;

  constructor(
    redis: RedisConnection,
    gate: LayoutGate,
    host: string,
    keys: SigningKeys,
    log: Logger,
    stats: RedisInviteStats,
  ) {
    this.#gate = gate;
    this.#stats = stats;
    this.#log = log;
    this.#reads = new RedisInviteReads(redis, host, keys, log);
    this.#writes = new RedisInviteWrites(redis, host, keys, log);
    this.#edits = new RedisInviteEdit(redis, host, keys);
  }

  async save(invite: Invite, claim?: QuotaClaim): Promise<void> {
    await this.#gate.usable("save");
    return this.#writes.save(invite, claim);
  }

  async listPage(query: PageQuery): Promise<InvitePage> {
    await this.#gate.usable("list");
    return this.#reads.listPage(query);
  }

  async findById(id: string): Promise<StoredInvite[]> {
    await this.#gate.usable("read");
    return this.#reads.findById(id);
  }

  async findByToken(token: string): Promise<StoredInvite | undefined> {
    await this.#gate.usable("read");
    return this.#reads.findByToken(token);
  }

  async remove(invites: readonly StoredInvite[]): Promise<number> {
    await this.#gate.usable("remove");
    return this.#writes.remove(invites);
  }

  async boundTo(local: string): Promise<StoredInvite[]> {
    await this.#gate.usable("read");
    return this.#reads.boundTo(local);
  }

  async edit(hash: string, change: InviteEdit): Promise<EditOutcome> {
    await this.#gate.usable("edit");
    const outcome = await this.#edits.edit(hash, change);
    if (outcome.ok && change.expires !== undefined) {
      // The summary only: the edit is made, and a summary a little off is no reason to report it failed.
      const id = idOfHash(hash);
      await this.#stats.expiryMoved(id, change.expires).catch((error: unknown) => {
        this.#log.warn("Could not move an edited invite's expiry in the summary's log", {
          id,
          error: (error as Error).message,
        });
      });
    }
    return outcome;
  }
}
