/** Who invited whom, as the Prosody module records it on each use (docs/storage.md, "Use events"). */
import { invitedByKey, inviteesKey } from "./keys.js";
import type { RedisConnection } from "./redis-connection.js";

export class RedisRelations {
  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
  ) {}

  async whoInvited(invitee: string): Promise<string | undefined> {
    const inviter = await this.redis.bounded("read", () => this.redis.client.get(invitedByKey(this.host, invitee)));
    return inviter ?? undefined;
  }

  async inviteesOf(inviter: string): Promise<string[]> {
    const invitees = await this.redis.bounded("read", () =>
      this.redis.client.sMembers(inviteesKey(this.host, inviter)),
    );
    return [...invitees].sort();
  }
}
