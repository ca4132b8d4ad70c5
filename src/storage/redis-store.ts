/**
 * The invite store in Redis, in the layout of docs/storage.md: one connection
 * shared by the invite records, the quota, who-invited-whom and the use-event
 * stream. Every operation waits until the host's store is known to be layout
 * v2 (migrating a v1 store first, once per start) and fails fast with
 * StoreUnavailableError while Redis is away.
 */
import type { Invite } from "../invites/invite.js";
import {
  type EventStream,
  type HitCounter,
  type InviteClaims,
  type InvitePage,
  type ManagedInviteStore,
  type PageQuery,
  type QuotaDecision,
  type StoredInvite,
  StoreUnavailableError,
} from "../invites/store.js";
import type { Logger } from "../logger.js";
import { ensureLayout, UnknownLayoutError } from "./layout.js";
import type { SigningKeys } from "./record.js";
import { RedisClaims } from "./redis-claims.js";
import { RedisConnection } from "./redis-connection.js";
import { redisEventStream } from "./redis-events.js";
import { RedisHitCounter } from "./redis-hits.js";
import { RedisInvites } from "./redis-invites.js";
import { RedisQuota } from "./redis-quota.js";
import { RedisRelations } from "./redis-relations.js";

export { redactUrl } from "./redis-connection.js";

export interface RedisStoreOptions {
  readonly url: string;
  readonly host: string;
  readonly timeoutMs: number;
  readonly signingKeys: SigningKeys;
  readonly log: Logger;
  /** Called when the store cannot be used by this version at all (an unknown layout). */
  readonly onFatal?: (error: Error) => void;
}

export class RedisInviteStore implements ManagedInviteStore {
  readonly #options: RedisStoreOptions;
  readonly #redis: RedisConnection;
  readonly #invites: RedisInvites;
  readonly #quota: RedisQuota;
  readonly #relations: RedisRelations;
  #claims: RedisClaims | undefined;
  /** Settles when the layout check of the current connection is over. */
  #layout: Promise<void> | undefined;
  #layoutChecked = false;
  /** Settles once, when the layout is first known to be v2. */
  readonly #ready: Promise<void>;
  #markReady: () => void = () => {};

  /** Builds the client without connecting; call connect(). */
  constructor(options: RedisStoreOptions) {
    this.#options = options;
    this.#ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
    this.#redis = new RedisConnection({
      url: options.url,
      timeoutMs: options.timeoutMs,
      log: options.log,
      onReady: () => this.#checkLayout(),
    });
    this.#invites = new RedisInvites(this.#redis, options.host, options.signingKeys, options.log);
    this.#quota = new RedisQuota(this.#redis, options.host);
    this.#relations = new RedisRelations(this.#redis, options.host);
  }

  /** Starts connecting; resolves at once, the client keeps retrying in the background. */
  connect(): void {
    this.#redis.connect();
  }

  async close(): Promise<void> {
    this.#redis.close();
  }

  /** Resolves when the store is ready to use (layout checked or migrated); for tests and the benchmark. */
  ready(): Promise<void> {
    return this.#ready;
  }

  async save(invite: Invite): Promise<void> {
    await this.#usable("save");
    return this.#invites.save(invite);
  }

  async listPage(query: PageQuery): Promise<InvitePage> {
    await this.#usable("list");
    return this.#invites.listPage(query);
  }

  async findById(id: string): Promise<StoredInvite[]> {
    await this.#usable("read");
    return this.#invites.findById(id);
  }

  async findByToken(token: string): Promise<StoredInvite | undefined> {
    await this.#usable("read");
    return this.#invites.findByToken(token);
  }

  async remove(invites: readonly StoredInvite[]): Promise<number> {
    await this.#usable("remove");
    return this.#invites.remove(invites);
  }

  async reserve(subject: string, limit: number, windowMs: number, member: string): Promise<QuotaDecision> {
    await this.#usable("quota");
    return this.#quota.reserve(subject, limit, windowMs, member);
  }

  async release(subject: string, member: string): Promise<void> {
    await this.#usable("quota");
    return this.#quota.release(subject, member);
  }

  async whoInvited(invitee: string): Promise<string | undefined> {
    await this.#usable("read");
    return this.#relations.whoInvited(invitee);
  }

  async inviteesOf(inviter: string): Promise<string[]> {
    await this.#usable("read");
    return this.#relations.inviteesOf(inviter);
  }

  /** Claims of invites for the bot as registration hook (docs/servers.md), on the same connection. */
  claims(): InviteClaims {
    // One instance: it keeps the uses still to give back once Redis answers.
    this.#claims ??= new RedisClaims(this.#redis, this.#options.host, this.#options.signingKeys, this.#options.log);
    return this.#claims;
  }

  /** The web pages' rate-limit counters, on the same connection. */
  hitCounter(): HitCounter {
    return new RedisHitCounter(this.#redis, this.#options.host);
  }

  /** The use-event stream of this host, read as `consumer` (one name per bot instance). */
  eventStream(consumer: string): EventStream {
    const stream = redisEventStream(this.#redis.client, this.#options.host, consumer, this.#options.signingKeys);
    return {
      ...stream,
      ensureGroup: async () => {
        await this.#usable("read");
        return stream.ensureGroup();
      },
    };
  }

  /** Nothing is read or written before the layout is known to be v2 (a migration may be under way). */
  async #usable(operation: string): Promise<void> {
    if (this.#layoutChecked) return;
    if (this.#layout === undefined || !this.#redis.isReady) {
      throw new StoreUnavailableError(`Redis is not connected (${operation} not attempted)`);
    }
    await this.#layout;
    if (!this.#layoutChecked) throw new StoreUnavailableError(`the invite store is not ready (${operation})`);
  }

  #checkLayout(): void {
    if (this.#layoutChecked || this.#layout !== undefined) return;
    const { host, signingKeys, log } = this.#options;
    this.#layout = ensureLayout({ client: this.#redis.client, host, keys: signingKeys, log })
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
