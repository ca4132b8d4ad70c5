/**
 * Who invited whom, as the Prosody module records it on each use (docs/storage.md, "Use events"), and when accounts
 * registered through an invite (`invite:{HOST}:joined`).
 */
import type { RelationsStore } from "../invites/store.js";
import { invitedByKey, inviteesKey, joinedKey } from "./keys.js";
import type { LayoutGate } from "./layout-gate.js";
import type { RedisConnection } from "./redis-connection.js";

export class RedisRelations implements RelationsStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly gate: LayoutGate,
    private readonly host: string,
  ) {}

  async whoInvited(invitee: string): Promise<string | undefined> {
    await this.gate.usable("read");
    const inviter = await this.redis.bounded("read", () => this.redis.client.get(invitedByKey(this.host, invitee)));
    return inviter ?? undefined;
  }

  async inviteesOf(inviter: string): Promise<string[]> {
    await this.gate.usable("read");
    const invitees = await this.redis.bounded("read", () =>
      this.redis.client.sMembers(inviteesKey(this.host, inviter)),
    );
    return [...invitees].sort();
  }

  /**
   * One ZSCORE per account, sent together (node-redis pipelines what is sent in one tick): the bot's Redis user has
   * `+zscore` (docs/security.md), not ZMSCORE, and every key is in the host's slot anyway.
   */
  async joinedAt(jids: readonly string[]): Promise<ReadonlyMap<string, number>> {
    await this.gate.usable("read");
    const key = joinedKey(this.host);
    const scores = await this.redis.bounded("read", () =>
      Promise.all(jids.map((jid) => this.redis.client.zScore(key, jid))),
    );
    const joined = new Map<string, number>();
    for (const [i, jid] of jids.entries()) {
      const score = scores[i];
      if (typeof score === "number") joined.set(jid, score);
    }
    return joined;
  }
}
