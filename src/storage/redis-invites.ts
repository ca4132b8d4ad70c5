/**
 * The invite records in Redis (docs/storage.md, layout v3), the domain's InviteStore: reads (redis-invite-reads.ts)
 * and writes (redis-invite-writes.ts, redis-invite-edit.ts) on the bot's connection, none let through before the layout is checked.
 */
import type { Invite } from "../invites/invite.js";
import type { EditOutcome, InviteEdit, InvitePage, InviteStore, PageQuery, StoredInvite } from "../invites/store.js";
import type { Logger } from "../logger.js";
import type { LayoutGate } from "./layout-gate.js";
import type { SigningKeys } from "./record.js";
import type { RedisConnection } from "./redis-connection.js";
import { RedisInviteEdit } from "./redis-invite-edit.js";
import { RedisInviteReads } from "./redis-invite-reads.js";
import { RedisInviteWrites } from "./redis-invite-writes.js";

export class RedisInvites implements InviteStore {
  readonly #gate: LayoutGate;
  readonly #reads: RedisInviteReads;
  readonly #writes: RedisInviteWrites;
  readonly #edits: RedisInviteEdit;

  constructor(redis: RedisConnection, gate: LayoutGate, host: string, keys: SigningKeys, log: Logger) {
    this.#gate = gate;
    this.#reads = new RedisInviteReads(redis, host, keys, log);
    this.#writes = new RedisInviteWrites(redis, host, keys, log);
    this.#edits = new RedisInviteEdit(redis, host, keys);
  }

  async save(invite: Invite): Promise<void> {
    await this.#gate.usable("save");
    return this.#writes.save(invite);
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

  async edit(hash: string, change: InviteEdit): Promise<EditOutcome> {
    await this.#gate.usable("edit");
    return this.#edits.edit(hash, change);
  }
}
