/**
 * The API keys in Redis (docs/api.md, "Storage"): `invite:{HOST}:api-key:HASH`, a hash of the key's fields named by
 * the SHA-256 of the key, and `invite:{HOST}:api-keys`, a hash of name → HASH that keeps names unique. Each key's
 * fields carry a `tag`, a MAC with the invite signing key (docs/security.md): Redis is a trust boundary, and without
 * it anyone who can write to Redis could add a key of their own, which acts as an admin. A key whose tag does not
 * verify is no key. Each change is one script, so the index and the records never disagree; the scripts call only
 * commands of the bot's ACL line.
 */
import type { ApiKey, ApiKeyStore } from "../invites/api-keys.js";
import { isApiKeyScope } from "../invites/api-keys.js";
import { hostTag } from "./keys.js";
import { macOf, macVerifies, type SigningKeys } from "./record.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

/** One key's fields, named by the SHA-256 of the key. */
export function apiKeyKey(host: string, hash: string): string {
  return `${hostTag(host)}api-key:${hash}`;
}

/** Every key's name → its hash. */
export function apiKeyNamesKey(host: string): string {
  return `${hostTag(host)}api-keys`;
}

// A taken name saves nothing (there is no HSETNX in the ACL line; HGET in the script is as good).
const ADD = new RedisScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], 'name', ARGV[1], 'scope', ARGV[3], 'createdBy', ARGV[4], 'createdAt', ARGV[5], 'tag', ARGV[6])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`);

// Only if the name still points at this key: a revoke and a new key of the same name cannot cross.
const REMOVE = new RedisScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`);

// A revoked key is never written back by a request that authenticated just before.
const TOUCH = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[1]) end
return 0
`);

/** Its own context: no MAC made for an invite, a circle or a session passes for a key's. */
const API_KEY_CONTEXT = "xmpp-invite-bot/api-key/1";

/** What a key's tag covers: everything that decides what it may do (`lastUsedAt` is not). */
function signedFields(host: string, hash: string, key: Omit<ApiKey, "lastUsedAt">): string[] {
  return [host, hash, key.name, key.scope, key.createdBy, String(key.createdAt)];
}

/** The fields as stored, or undefined for an empty (absent), malformed or unsigned hash. */
function keyOf(keys: SigningKeys, host: string, hash: string, fields: Record<string, string>): ApiKey | undefined {
  const { name, scope, createdBy, createdAt, lastUsedAt, tag } = fields;
  if (name === undefined || scope === undefined || !isApiKeyScope(scope) || createdBy === undefined) return undefined;
  const signed = { name, scope, createdBy, createdAt: Number(createdAt) };
  if (tag === undefined || !macVerifies(keys, API_KEY_CONTEXT, signedFields(host, hash, signed), tag)) return undefined;
  return {
    name,
    scope,
    createdBy,
    createdAt: Number(createdAt),
    ...(lastUsedAt === undefined ? {} : { lastUsedAt: Number(lastUsedAt) }),
  };
}

export class RedisApiKeys implements ApiKeyStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly host: string,
    private readonly keys: SigningKeys,
  ) {}

  async add(hash: string, key: ApiKey): Promise<boolean> {
    const { client } = this.redis;
    const keys = [apiKeyNamesKey(this.host), apiKeyKey(this.host, hash)];
    const tag = macOf(this.keys.current, API_KEY_CONTEXT, signedFields(this.host, hash, key)).toString("base64url");
    const args = [key.name, hash, key.scope, key.createdBy, String(key.createdAt), tag];
    return Number(await this.redis.bounded("API key add", () => ADD.run(client, keys, args))) === 1;
  }

  async find(hash: string): Promise<ApiKey | undefined> {
    const fields = await this.redis.bounded("API key lookup", () =>
      this.redis.client.hGetAll(apiKeyKey(this.host, hash)),
    );
    return keyOf(this.keys, this.host, hash, fields);
  }

  async list(): Promise<ApiKey[]> {
    const { client } = this.redis;
    return this.redis.bounded("API key list", async () => {
      const names = await client.hGetAll(apiKeyNamesKey(this.host));
      // Sent at once: node-redis pipelines them into one round trip.
      const hashes = Object.values(names);
      const all = await Promise.all(hashes.map((hash) => client.hGetAll(apiKeyKey(this.host, hash))));
      return all
        .map((fields, index) => keyOf(this.keys, this.host, hashes[index] ?? "", fields))
        .filter((key): key is ApiKey => key !== undefined)
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    });
  }

  async remove(name: string): Promise<boolean> {
    const { client } = this.redis;
    const namesKey = apiKeyNamesKey(this.host);
    return this.redis.bounded("API key revoke", async () => {
      const hash = await client.hGet(namesKey, name);
      if (hash === null || hash === undefined) return false;
      return Number(await REMOVE.run(client, [namesKey, apiKeyKey(this.host, hash)], [name, hash])) === 1;
    });
  }

  async touch(hash: string, at: number): Promise<void> {
    await this.redis.bounded("API key use", () =>
      TOUCH.run(this.redis.client, [apiKeyKey(this.host, hash)], [String(at)]),
    );
  }
}
