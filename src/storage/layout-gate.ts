/**
 * What the invite records, the quota, who-invited-whom and the circles wait for: the host's layout known to be v3
 * (layout.ts, migrating a v1 or v2 store first, once per start), checked again on each (re)connection until it is.
 * Nothing is read or written before, and while Redis is away an operation fails at once with StoreUnavailableError.
 */
import { StoreUnavailableError } from "../invites/store.js";
import type { Logger } from "../logger.js";
import { ensureLayout, UnknownLayoutError } from "./layout.js";
import type { SigningKeys } from "./record.js";
import type { RedisConnection } from "./redis-connection.js";

export interface LayoutGateOptions {
  readonly host: string;
  readonly signingKeys: SigningKeys;
  readonly log: Logger;
  /** Called when the store cannot be used by this version at all (an unknown layout). */
  readonly onFatal?: (error: Error) => void;
}

export class LayoutGate {
  readonly #redis: RedisConnection;
  readonly #options: LayoutGateOptions;
  /** Settles when the layout check of the current connection is over. */
  #layout: Promise<void> | undefined;
  #layoutChecked = false;
  /** Settles once, when the layout is first known to be v3. */
  readonly #ready: Promise<void>;
  #markReady: () => void = () => {};

  constructor(redis: RedisConnection, options: LayoutGateOptions) {
    this.#redis = redis;
    this.#options = options;
    this.#ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
  }

  /** Resolves when the store is ready to use (layout checked or migrated); for tests and the benchmark. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Resolves once `operation` may run; throws StoreUnavailableError while Redis is away or the check failed. */
  async usable(operation: string): Promise<void> {
    if (this.#layoutChecked) return;
    if (this.#layout === undefined || !this.#redis.isReady) {
      throw new StoreUnavailableError(`Redis is not connected (${operation} not attempted)`);
    }
    await this.#layout;
    if (!this.#layoutChecked) throw new StoreUnavailableError(`the invite store is not ready (${operation})`);
  }

  /** On each (re)connection: checks the layout, unless it is known or being checked. */
  check(): void {
    if (this.#layoutChecked || this.#layout !== undefined) return;
    const { host, signingKeys, log } = this.#options;
    this.#layout = ensureLayout({
      client: this.#redis.client,
      host,
      keys: signingKeys,
      log,
      events: this.#redis.events,
    })
      .then(() => {
        this.#layoutChecked = true;
        this.#markReady();
      })
      .catch((error: unknown) => {
        if (error instanceof UnknownLayoutError) {
          log.error(error.message);
          this.#options.onFatal?.(error);
          return;
        }
        log.warn("Could not check the invite store's layout; trying again when Redis is back", {
          error: (error as Error).message,
        });
      })
      .finally(() => {
        if (!this.#layoutChecked) this.#layout = undefined;
      });
  }
}
