/**
 * The web console's store in Redis (src/invites/console-store.ts; docs/console.md, "Storage"), shared by every bot
 * instance, under the host's keys (`invite:{HOST}:console-…`, which the bot's ACL user reaches and Prosody's does
 * not). Each value is signed with the invite signing key, in a context of its own: write access to Redis can end a
 * session or a link, but not make one that logs anyone in (docs/security.md).
 */
import type { ConsoleSession, ConsoleStore } from "../invites/console-store.js";
import { hostTag } from "./keys.js";
import { macOf, macVerifies, type SigningKeys } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

/** No MAC made for a record, an event or a relay proof passes for a console value, nor the other way round. */
const CONSOLE_CONTEXT = "xmpp-invite-bot/console/0";

/** A login link's JID, by the hash of its token; expires with the link. */
export function consoleLoginKey(host: string, hash: string): string {
  return `${hostTag(host)}console-login:${hash}`;
}

/** A session, by the hash of its id; expires at the end of its idle time. */
export function consoleSessionKey(host: string, hash: string): string {
  return `${hostTag(host)}console-session:${hash}`;
}

/** The hashes of one JID's sessions: a set, to end them all (chat `logout`); expires with the last of them. */
export function consoleSessionsOfKey(host: string, jid: string): string {
  return `${hostTag(host)}console-by:${jid}`;
}

// Read and delete in one step (the ACL allows no GETDEL): of two requests with one link, one gets it.
const CONSUME = new RedisScript(`
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value
`);

type Kind = "login" | "session";

interface Signed {
  readonly value: string;
  readonly tag: string;
}

export class RedisConsoleStore implements ConsoleStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
  ) {}

  async saveLogin(hash: string, jid: string, ttlMs: number): Promise<void> {
    const signed = this.#sign("login", hash, jid);
    await this.redis.bounded("write", () =>
      this.redis.client.set(consoleLoginKey(this.host, hash), signed, { PX: ttlMs }),
    );
  }

  async findLogin(hash: string): Promise<string | undefined> {
    const text = await this.redis.bounded("read", () => this.redis.client.get(consoleLoginKey(this.host, hash)));
    return this.#verify("login", hash, text);
  }

  async consumeLogin(hash: string): Promise<string | undefined> {
    const text = await this.redis.bounded("write", () =>
      CONSUME.run(this.redis.client, [consoleLoginKey(this.host, hash)], []),
    );
    return this.#verify("login", hash, text);
  }

  async saveSession(hash: string, session: ConsoleSession, ttlMs: number): Promise<void> {
    const of = consoleSessionsOfKey(this.host, session.jid);
    const signed = this.#sign("session", hash, JSON.stringify(session));
    await this.redis.bounded("write", () =>
      this.redis.client
        .multi()
        .set(consoleSessionKey(this.host, hash), signed, { PX: ttlMs })
        .sAdd(of, hash)
        .pExpire(of, ttlMs)
        .exec(),
    );
  }

  async findSession(hash: string): Promise<ConsoleSession | undefined> {
    const text = await this.redis.bounded("read", () => this.redis.client.get(consoleSessionKey(this.host, hash)));
    return sessionOf(this.#verify("session", hash, text));
  }

  async renewSession(hash: string, session: ConsoleSession, ttlMs: number): Promise<void> {
    const of = consoleSessionsOfKey(this.host, session.jid);
    const signed = this.#sign("session", hash, JSON.stringify(session));
    // XX: a session ended meanwhile (logout) is not brought back by a request that read it just before.
    await this.redis.bounded("write", () =>
      this.redis.client
        .multi()
        .set(consoleSessionKey(this.host, hash), signed, { PX: ttlMs, XX: true })
        .pExpire(of, ttlMs)
        .exec(),
    );
  }

  async endSession(hash: string, jid: string): Promise<void> {
    await this.redis.bounded("write", () =>
      this.redis.client
        .multi()
        .del(consoleSessionKey(this.host, hash))
        .sRem(consoleSessionsOfKey(this.host, jid), hash)
        .exec(),
    );
  }

  async endSessionsOf(jid: string): Promise<number> {
    const of = consoleSessionsOfKey(this.host, jid);
    const hashes = await this.redis.bounded("read", () => this.redis.client.sMembers(of));
    if (hashes.length === 0) return 0;
    // Only the sessions read are removed from the set: one opened meanwhile stays listed (and open).
    const replies = await this.redis.bounded("write", () =>
      this.redis.client
        .multi()
        .del(hashes.map((hash) => consoleSessionKey(this.host, hash)))
        .sRem(of, hashes)
        .exec(),
    );
    return Number(replies[0] ?? 0);
  }

  #sign(kind: Kind, hash: string, value: string): string {
    const tag = macOf(this.keys.current, CONSOLE_CONTEXT, [this.host, kind, hash, value]).toString("base64url");
    return JSON.stringify({ value, tag } satisfies Signed);
  }

  /** The signed value, if its tag verifies with the current or an old key; anything else is no value. */
  #verify(kind: Kind, hash: string, text: unknown): string | undefined {
    if (typeof text !== "string") return undefined;
    let signed: Partial<Signed>;
    try {
      signed = JSON.parse(text) as Partial<Signed>;
    } catch {
      return undefined;
    }
    const { value, tag } = signed;
    if (typeof value !== "string" || typeof tag !== "string") return undefined;
    return macVerifies(this.keys, CONSOLE_CONTEXT, [this.host, kind, hash, value], tag) ? value : undefined;
  }
}

function sessionOf(text: string | undefined): ConsoleSession | undefined {
  if (text === undefined) return undefined;
  const parsed = JSON.parse(text) as Partial<ConsoleSession>;
  const { jid, created, expires } = parsed;
  if (typeof jid !== "string" || typeof created !== "number" || typeof expires !== "number") return undefined;
  return { jid, created, expires };
}
