/**
 * The bot's one Redis connection, on a client made by redis-client.ts: bounds every operation by
 * REDIS_TIMEOUT_MS, and says once when the link is lost and when it is back.
 */
import { createHash } from "node:crypto";
import { type EventSink, silentSink } from "../events.js";
import { StoreUnavailableError } from "../invites/store.js";
import type { Logger } from "../logger.js";
import type { StorageEvents } from "./backend.js";
import type { RedisClient, RedisClientHandle } from "./redis-client.js";

export class RedisConnection {
  readonly client: RedisClient;
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
    this.client = options.client;
    this.#label = options.label;
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.log;
    this.events = options.events ?? silentSink();
    this.client.on("error", (error: unknown) => this.#lost(error));
    this.client.on("ready", () => {
      this.#restored();
      options.onReady();
    });
  }

  connect(): void {
    this.client.connect().catch((error: unknown) => this.#lost(error));
  }

  close(): void {
    if (this.client.isOpen) this.client.destroy();
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  /**
   * Runs one operation within REDIS_TIMEOUT_MS (plus `waitMs`, for a read that blocks on purpose); every failure
   * becomes StoreUnavailableError.
   */
  async bounded<T>(operation: string, run: () => Promise<T>, waitMs = 0): Promise<T> {
    if (!this.client.isReady) throw new StoreUnavailableError(`Redis is not connected (${operation} not attempted)`);
    let timer: NodeJS.Timeout | undefined;
    const limitMs = this.#timeoutMs + waitMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(`Redis did not answer within ${limitMs} ms (${operation})`)),
        limitMs,
      );
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`Redis ${operation} failed: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
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
