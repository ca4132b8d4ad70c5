/**
 * What the store runs on, whatever the mode (docs/redis.md): the client the stores send commands with, and the handle
 * that says how its mode connects, follows its link and makes a second connection. Made by redis-client.ts (one
 * server) and redis-modes.ts (Sentinel, Cluster).
 */
import type { createClient } from "@keyv/redis";

/**
 * The commands the stores send, typed as a one-server client's. A Sentinel or Cluster client stands in for it: every
 * command the stores use exists on all three with the same arguments and replies (the store contract suites run in
 * each mode, test/integration/contracts/redis-modes.test.ts); what differs (connecting, readiness, a second
 * connection, SCAN) goes through the handle, never through the client.
 */
export type RedisClient = ReturnType<typeof createClient>;

/** Told when the link to Redis fails and each time it is usable again. */
export interface RedisLinkListener {
  lost(error: unknown): void;
  ready(): void;
}

/** A client not yet connected, where it connects (for the log, no password), and what its mode does differently. */
export interface RedisClientHandle {
  readonly client: RedisClient;
  readonly label: string;
  /**
   * Connects, and keeps reconnecting in the background; the listener hears each loss and each (re)connection.
   * Resolves once connected; rejects if the first attempt fails and the client gives up (destroyed, or one server's).
   */
  readonly open: (listener: RedisLinkListener) => Promise<void>;
  /** Whether a command sent now can reach the node that owns it. */
  readonly isReady: () => boolean;
  readonly destroy: () => void;
  /** A new, unconnected client of the same Redis, for a connection of its own (the blocking stream read). */
  readonly another: () => RedisClientHandle;
  /**
   * Replicas that must have a new invite before it is handed out (`WAIT`): 0 but behind Sentinel, where a failover
   * promotes a replica and drops what the old master had not copied (docs/redis.md).
   */
  readonly replicasToConfirm: () => Promise<number>;
  /**
   * Whether invite saves are confirmed (`WAIT`) on this mode: they then get a connection of their own
   * (RedisConnection.savesHandle), since a WAIT holds the connection it is sent on until the replicas answer.
   */
  readonly confirmsWrites: boolean;
}
