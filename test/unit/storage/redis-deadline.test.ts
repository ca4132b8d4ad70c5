/**
 * RedisConnection.bounded's deadline counts Redis's silence, not the bot's own busy moments: a reply that arrived
 * while the event loop was held (a burst of stanzas on 2 cores) is read before the deadline is judged.
 */
import { MessageChannel } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import { RedisConnection } from "../../../src/storage/redis-connection.js";
import type { RedisClient, RedisClientHandle } from "../../../src/storage/redis-handle.js";

function connection(timeoutMs: number): RedisConnection {
  const handle: RedisClientHandle = {
    client: {} as RedisClient,
    label: "fake",
    open: async () => {},
    isReady: () => true,
    destroy: () => {},
    another: () => handle,
    replicasToConfirm: async () => 0,
    confirmsWrites: false,
  };
  return new RedisConnection({ ...handle, timeoutMs, log: createLogger("silent"), onReady: () => {} });
}

/** Holds the event loop for `ms`, as a burst of work does. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe("RedisConnection.bounded's deadline", () => {
  it("takes a reply that came while the event loop was busy past the deadline", async () => {
    const { port1, port2 } = new MessageChannel();
    // A message between ports arrives as I/O does: read in the event loop's poll phase, after its timers.
    const reply = new Promise<string>((resolve) => port2.once("message", resolve));
    const answered = connection(20).bounded("read", () => reply);
    port1.postMessage("OK");
    busyFor(60);
    await expect(answered).resolves.toBe("OK");
    port1.close();
  });

  it("still ends a call that gets no reply", async () => {
    await expect(connection(20).bounded("read", () => new Promise(() => {}))).rejects.toThrow(StoreUnavailableError);
  });
});
