/**
 * The Prosody module's use-event stream (docs/storage.md, "Use events") read with
 * a Redis consumer group. Blocking reads get a connection of their own. Each entry
 * comes with whether its tag verifies (event-tag.ts): the signing key stays here.
 */
import type { EventStream } from "../invites/store.js";
import { eventTagValid } from "./event-tag.js";
import { eventsKey } from "./keys.js";
import type { SigningKeys } from "./record.js";
import type { RedisClient } from "./redis-client.js";

export const EVENT_GROUP = "xmpp-invite-bot";

export function redisEventStream(client: RedisClient, host: string, consumer: string, keys: SigningKeys): EventStream {
  const key = eventsKey(host);
  let blocking: RedisClient | undefined;

  async function blockingClient(): Promise<RedisClient> {
    if (blocking === undefined) {
      blocking = client.duplicate();
      blocking.on("error", () => {});
      await blocking.connect();
    }
    return blocking;
  }

  return {
    async ensureGroup() {
      try {
        // From the start of the stream: uses recorded before the bot ever ran are told too.
        await client.xGroupCreate(key, EVENT_GROUP, "0", { MKSTREAM: true });
      } catch (error) {
        if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
      }
    },
    async read(which, blockMs) {
      const reader = which === "pending" ? client : await blockingClient();
      const options = which === "pending" ? { COUNT: 50 } : { COUNT: 50, BLOCK: blockMs };
      const reply = await reader.xReadGroup(
        EVENT_GROUP,
        consumer,
        { key, id: which === "pending" ? "0" : ">" },
        options,
      );
      const streams = (reply ?? []) as Array<{
        messages: Array<{ id: string; message: Record<string, string> } | null>;
      }>;
      return streams.flatMap((stream) =>
        stream.messages.flatMap((entry) =>
          entry === null
            ? []
            : [{ id: entry.id, fields: entry.message, signed: eventTagValid(keys, host, entry.message) }],
        ),
      );
    },
    async ack(id) {
      await client.xAck(key, EVENT_GROUP, id);
    },
    async close() {
      if (blocking?.isOpen) blocking.destroy();
    },
  };
}
