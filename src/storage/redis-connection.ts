/**
 * The bot's one Redis connection, on a client made by redis-client.ts (one server, Sentinel or Cluster): bounds every
 * operation by REDIS_TIMEOUT_MS, and says once when the link is lost and when it is back.
 */
import { createHash } from "node:crypto";
import { type EventSink, silentSink } from "../events.js";
import { StoreUnavailableError } from "../invites/store.js";
import type { Logger } from "../logger.js";
import type { StorageEvents } from "./backend.js";
import type { RedisClient, RedisClientHandle } from "./redis-client.js";

export class RedisConnection {
  readonly client: RedisClient;
  readonly #handle: RedisClientHandle;
  /** Where the client connects, for the log. */
  readonly #label: string;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  /** Where the parts on this connection emit what happened (src/events.ts). */
  readonly events: EventSink<StorageEvents>;
  #reachable = true;

  constructor(
    options: RedisClientHandle & {
      timeoutMs: number;
      log: Logger;
      onReady: () => void;
      events?: EventSink<StorageEvents> | undefined;
    },
  ) {
    this.#handle = options;
    this.client = options.client;
    this.#label = options.label;
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.log;
    this.events = options.events ?? silentSink();
    this.#onReady = options.onReady;
  }

  readonly #onReady: () => void;

  connect(): void {
    const lost = (error: unknown) => this.#lost(error);
    this.#handle
      .open({
        lost,
        ready: () => {
          this.#restored();
          this.#onReady();
        },
      })
      .catch(lost);
  }

  close(): void {
    this.#handle.destroy();
    this.#saves?.handle.destroy();
  }

  /**
   * Where invite saves go (redis-invite-writes.ts), with the replicas they must reach (redis-modes.ts). Behind
   * Sentinel a connection of their own: the WAIT after each save holds its connection until the replicas answer,
   * and the leader lease, quotas and flood counts must not queue behind it (for a replica that died, until the
   * Sentinels mark it down). Elsewhere this connection.
   */
  savesHandle(): Promise<RedisClientHandle> {
    if (!this.#handle.confirmsWrites) return Promise.resolve(this.#handle);
    if (this.#saves === undefined) {
      const handle = this.#handle.another();
      const opened = handle.open({ lost: () => {}, ready: () => {} }).then(() => handle);
      opened.catch(() => {}); // closed while connecting: the saves waiting on it fail on their own
      this.#saves = { handle, opened };
    }
    return this.#saves.opened;
  }

  #saves: { readonly handle: RedisClientHandle; readonly opened: Promise<RedisClientHandle> } | undefined;

  /** The timeout of one operation (REDIS_TIMEOUT_MS). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  get isReady(): boolean {
    return this.#handle.isReady();
  }

  /** A new client of the same Redis, not yet connected, for a connection of its own (the blocking stream read). */
  another(): RedisClientHandle {
    return this.#handle.another();
  }

  /**
   * Runs one operation within REDIS_TIMEOUT_MS (plus `waitMs`, for a read that blocks on purpose); every failure
   * becomes StoreUnavailableError.
   */
  async bounded<T>(operation: string, run: () => Promise<T>, waitMs = 0): Promise<T> {
    if (!this.isReady) throw new StoreUnavailableError(`Redis is not connected (${operation} not attempted)`);
    let timer: NodeJS.Timeout | undefined;
    let judged: NodeJS.Immediate | undefined;
    const limitMs = this.#timeoutMs + waitMs;
    const timeout = new Promise<never>((_, reject) => {
      // Judged after the event loop's poll phase (setImmediate): a reply that came while the bot was busy (a burst of
      // stanzas) is read there, after the timers, and must not count as Redis's silence.
      timer = setTimeout(() => {
        judged = setImmediate(() =>
          reject(new StoreUnavailableError(`Redis did not answer within ${limitMs} ms (${operation})`)),
        );
      }, limitMs);
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`Redis ${operation} failed: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
      clearImmediate(judged);
    }
  }

  #lost(error: unknown): void {
    if (!this.#reachable) return;
    this.#reachable = false;
    this.#log.warn("Redis connection lost; invites cannot be created until it is back", {
      url: this.#label,
      error: error instanceof Error ? error.message : String(error),
    });
    this.events.emit("store-link", { state: "lost" });
  }

  #restored(): void {
    const wasLost = !this.#reachable;
    this.#reachable = true;
    this.#log.info(wasLost ? "Redis connection restored" : "Connected to Redis", { url: this.#label });
    this.events.emit("store-link", { state: wasLost ? "restored" : "connected" });
  }
}

/** A Lua script run with EVALSHA, loaded again with EVAL when Redis does not have it (after a restart). */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(this.#sha, { keys, arguments: args });
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return client.eval(this.#source, { keys, arguments: args });
    }
  }
}
