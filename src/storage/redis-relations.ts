/** Who invited whom, as the Prosody module records it on each use (docs/storage.md, "Use events"). */
import type { RelationsStore } from "../invites/store.js";
import { invitedByKey, inviteesKey } from "./keys.js";
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
}
