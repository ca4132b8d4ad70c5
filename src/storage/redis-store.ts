/**
 * Invites in Redis through keyv + @keyv/redis, in the layout of docs/storage.md.
 *
 * Failure behaviour: commands never queue while Redis is away (disableOfflineQueue)
 * and every operation is bounded by REDIS_TIMEOUT_MS, so a request fails fast with
 * StoreUnavailableError while the client keeps reconnecting in the background.
 */
import KeyvRedis, { createClient, Keyv } from "@keyv/redis";
import type { Invite } from "../invites/invite.js";
import {
  type ManagedInviteStore,
  type QuotaDecision,
  type StoredInvite,
  StoreUnavailableError,
} from "../invites/store.js";
import type { Logger } from "../logger.js";
import type { EventStream } from "../notifications/consumer.js";
import { entriesFor, groupByToken, keysOf } from "./entries.js";
import { hostPrefix, invitedByKey, inviteesKey, inviterKey, quotaKey, tokenKey } from "./keys.js";
import { redisEventStream } from "./redis-events.js";

export interface RedisStoreOptions {
  readonly url: string;
  readonly host: string;
  readonly timeoutMs: number;
  readonly log: Logger;
}

const MAX_RECONNECT_DELAY_MS = 2_000;

// Check and count in one step inside Redis, so that racing requests (or bot
// instances) cannot both take the last place. Returns -1 when reserved, else
// the time (ms) the oldest reservation leaves the window.
const RESERVE = `
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return -1
`;

export class RedisInviteStore implements ManagedInviteStore {
  readonly #options: RedisStoreOptions;
  readonly #client: ReturnType<typeof createClient>;
  readonly #keyv: Keyv;
  #reachable = true;

  /** Builds the client without connecting; call connect(). */
  constructor(options: RedisStoreOptions) {
    this.#options = options;
    this.#client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.timeoutMs,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
      },
    });
    const adapter = new KeyvRedis(this.#client, { throwOnConnectError: true, throwOnErrors: true });
    // Plain JSON and our own full key names, so a Lua client reads them as they are.
    this.#keyv = new Keyv({
      store: adapter,
      useKeyPrefix: false,
      namespace: undefined,
      serialize: JSON.stringify,
      deserialize: (text: string) => JSON.parse(text),
      throwOnErrors: true,
    });
    // Failures are reported by the operation that met them; these events only track the link.
    adapter.on("error", (error: unknown) => this.#lost(error));
    this.#keyv.on("error", () => {});
    this.#client.on("ready", () => this.#restored());
  }

  /** Starts connecting; resolves at once, the client keeps retrying in the background. */
  connect(): void {
    this.#client.connect().catch((error: unknown) => this.#lost(error));
  }

  async close(): Promise<void> {
    if (this.#client.isOpen) this.#client.destroy();
  }

  async save(invite: Invite): Promise<void> {
    const entries = entriesFor(this.#options.host, invite, Date.now());
    // One MULTI/EXEC: the host and inviter entries appear together or not at all.
    await this.#bounded("save", () => this.#keyv.setMany(entries.map((e) => ({ ...e }))));
  }

  async findByToken(token: string): Promise<Invite | undefined> {
    return this.#bounded("read", () => this.#keyv.get<Invite>(tokenKey(this.#options.host, token)));
  }

  async findContactExpiry(inviterLocal: string, token: string): Promise<number | undefined> {
    return this.#bounded("read", () => this.#keyv.get<number>(inviterKey(this.#options.host, inviterLocal, token)));
  }

  async listAll(): Promise<StoredInvite[]> {
    return this.#bounded("list", async () => {
      const pairs: Array<readonly [string, unknown]> = [];
      const pattern = `${hostPrefix(this.#options.host)}*`;
      for await (const keys of this.#client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
        if (keys.length === 0) continue;
        const values = await this.#client.mGet(keys);
        for (const [i, key] of keys.entries()) pairs.push([key, decodeEnvelope(values[i])]);
      }
      return groupByToken(this.#options.host, pairs);
    });
  }

  async remove(invites: readonly StoredInvite[]): Promise<number> {
    if (invites.length === 0) return 0;
    return this.#bounded("remove", async () => {
      // One transaction; an invite counts as removed when any of its keys still existed.
      const multi = this.#client.multi();
      for (const invite of invites) multi.del(keysOf(this.#options.host, [invite]));
      const replies = await multi.exec();
      return replies.filter((deleted) => Number(deleted) > 0).length;
    });
  }

  /** The use-event stream of this host, read as `consumer` (one name per bot instance). */
  eventStream(consumer: string): EventStream {
    return redisEventStream(this.#client, this.#options.host, consumer);
  }

  async whoInvited(invitee: string): Promise<string | undefined> {
    const inviter = await this.#bounded("read", () => this.#client.get(invitedByKey(this.#options.host, invitee)));
    return inviter ?? undefined;
  }

  async inviteesOf(inviter: string): Promise<string[]> {
    const invitees = await this.#bounded("read", () => this.#client.sMembers(inviteesKey(this.#options.host, inviter)));
    return [...invitees].sort();
  }

  async reserve(subject: string, limit: number, windowMs: number, member: string): Promise<QuotaDecision> {
    const key = quotaKey(this.#options.host, subject);
    const args = [String(Date.now()), String(windowMs), String(limit), member];
    const reply = await this.#bounded("quota", () => this.#client.eval(RESERVE, { keys: [key], arguments: args }));
    return Number(reply) === -1 ? { allowed: true } : { allowed: false, retryAtMs: Number(reply) };
  }

  async release(subject: string, member: string): Promise<void> {
    await this.#bounded("quota", () => this.#client.zRem(quotaKey(this.#options.host, subject), member));
  }

  async #bounded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (!this.#client.isReady) throw new StoreUnavailableError(`Redis is not connected (${operation} not attempted)`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(`Redis did not answer within ${this.#options.timeoutMs} ms`)),
        this.#options.timeoutMs,
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
    this.#options.log.warn("Redis connection lost; invites cannot be created until it is back", {
      url: redactUrl(this.#options.url),
      error: error instanceof Error ? error.message : String(error),
    });
  }

  #restored(): void {
    const wasLost = !this.#reachable;
    this.#reachable = true;
    this.#options.log.info(wasLost ? "Redis connection restored" : "Connected to Redis", {
      url: redactUrl(this.#options.url),
    });
  }
}

/** The value inside keyv's envelope, or undefined for a missing, expired or foreign value. */
function decodeEnvelope(raw: unknown): unknown {
  if (typeof raw !== "string") return undefined;
  try {
    const envelope = JSON.parse(raw) as { value?: unknown; expires?: unknown };
    if (typeof envelope.expires === "number" && envelope.expires < Date.now()) return undefined;
    return envelope.value;
  } catch {
    return undefined;
  }
}

/** Hides a password in redis://user:password@host URLs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable url)";
  }
}
