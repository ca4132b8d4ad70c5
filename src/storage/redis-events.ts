/**
 * The Prosody module's use-event stream (docs/storage.md, "Use events") read with a Redis consumer group. Blocking
 * reads get a connection of their own. Each entry comes with whether its tag verifies (event-tag.ts): the signing
 * key stays here. Every call is bounded like the rest of the backend (redis-connection.ts) and fails with
 * StoreUnavailableError; nothing is lost by that: an entry read and not acknowledged stays pending, and an XACK that
 * timed out still runs before the next read of the same connection, which is the pending read the consumer makes
 * after any failure (docs/storage.md, "Use events").
 */
import type { EventStream, StreamEntry } from "../invites/store.js";
import { eventTagValid } from "./event-tag.js";
import { eventsKey } from "./keys.js";
import type { SigningKeys } from "./record.js";
import type { RedisClient, RedisClientHandle } from "./redis-client.js";
import type { RedisConnection } from "./redis-connection.js";

export const EVENT_GROUP = "xmpp-invite-bot";
/** Entries per read: a consumer far behind catches up in steps, acknowledging as it goes. */
const READ_COUNT = 50;

type StreamReply = Array<{ messages: Array<{ id: string; message: Record<string, string> } | null> }> | null;

export function redisEventStream(
  redis: RedisConnection,
  host: string,
  consumer: string,
  keys: SigningKeys,
): EventStream {
  const key = eventsKey(host);
  const { client } = redis;
  /**
   * The blocking read's own client of the same Redis (a second Sentinel client in Sentinel mode, which has no
   * duplicate(); redis-client.ts); its errors surface as the read's failure.
   */
  let blocking: RedisClientHandle | undefined;

  async function blockingClient(): Promise<RedisClient> {
    if (blocking === undefined) {
      const opened = redis.another();
      blocking = opened;
      await opened.open({ lost: () => {}, ready: () => {} });
      return opened.client;
    }
    return blocking.client;
  }

  /** A blocked read that did not come back in time may still be queued on its connection: start afresh. */
  function dropBlocking(): void {
    blocking?.destroy();
    blocking = undefined;
  }

  const entriesOf = (reply: StreamReply) =>
    (reply ?? []).flatMap((stream) =>
      stream.messages.flatMap((entry) =>
        entry === null
          ? []
          : [{ id: entry.id, fields: entry.message, signed: eventTagValid(keys, host, entry.message) }],
      ),
    );

  return {
    ensureGroup: () =>
      redis.bounded("group creation", async () => {
        try {
          // From the start of the stream: uses recorded before the bot ever ran are told too.
          await client.xGroupCreate(key, EVENT_GROUP, "0", { MKSTREAM: true });
        } catch (error) {
          if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
        }
      }),
    async read(which, blockMs) {
      if (which === "pending") {
        const reply = await redis.bounded("pending read", () =>
          client.xReadGroup(EVENT_GROUP, consumer, { key, id: "0" }, { COUNT: READ_COUNT }),
        );
        return entriesOf(reply as StreamReply);
      }
      try {
        const reply = await redis.bounded(
          "read",
          async () =>
            (await blockingClient()).xReadGroup(
              EVENT_GROUP,
              consumer,
              { key, id: ">" },
              { COUNT: READ_COUNT, BLOCK: blockMs },
            ),
          blockMs,
        );
        return entriesOf(reply as StreamReply);
      } catch (error) {
        dropBlocking();
        throw error;
      }
    },
    async ack(id) {
      await redis.bounded("acknowledgement", () => client.xAck(key, EVENT_GROUP, id));
    },
    claim: (minIdleMs) => claimIdle(redis, key, consumer, minIdleMs, (message) => eventTagValid(keys, host, message)),
    async close() {
      dropBlocking();
    },
  };
}

/**
 * XAUTOCLAIM (Redis 6.2+), cursor looped until it wraps to 0-0 or a batch is taken: entries of the group idle for
 * `minIdleMs` become `consumer`'s. Redis 7 drops entries trimmed by MAXLEN while pending from the pending list and
 * names them (the reply's third part); they are acknowledged anyway, which is harmless there and clears them on a
 * server that still holds them. Each step is bounded like any other call; a cursor left half way starts over next
 * time, and what was taken already is this consumer's pending entries meanwhile.
 */
async function claimIdle(
  redis: RedisConnection,
  key: string,
  consumer: string,
  minIdleMs: number,
  signed: (message: Record<string, string>) => boolean,
): Promise<StreamEntry[]> {
  const taken: StreamEntry[] = [];
  let cursor = "0-0";
  do {
    const start = cursor;
    const reply = await redis.bounded("claim", () =>
      redis.client.xAutoClaim(key, EVENT_GROUP, consumer, minIdleMs, start, { COUNT: READ_COUNT }),
    );
    const deleted = (reply.deletedMessages ?? []).map(String);
    if (deleted.length > 0) await redis.bounded("acknowledgement", () => redis.client.xAck(key, EVENT_GROUP, deleted));
    for (const entry of reply.messages) {
      if (entry !== null) taken.push({ id: entry.id, fields: entry.message, signed: signed(entry.message) });
    }
    cursor = String(reply.nextId);
  } while (cursor !== "0-0" && taken.length < READ_COUNT);
  return taken;
}
