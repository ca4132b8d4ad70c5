/**
 * Making, listing and revoking API keys (admins only), and telling which key a request presents. A key acts as the
 * admin who made it, for as long as that admin is one: removed from ADMIN_JIDS, their keys stop working.
 */
import {
  API_KEY_PATTERN,
  type ApiKey,
  type ApiKeyScope,
  type ApiKeyStore,
  apiKeyHash,
  generateApiKey,
} from "./api-keys.js";
import { type Clock, nowSeconds, systemClock } from "./expiry.js";
import { guarded } from "./guarded.js";
import { type Actor, actorFor, type Policy } from "./permissions.js";
import type { RandomSource } from "./token.js";

/** Only this often is a key's last use written, so a busy key costs one write a minute, not one a request. */
const TOUCH_EVERY_SECONDS = 60;

export type KeyCreation =
  | { readonly ok: true; readonly key: string; readonly stored: ApiKey }
  | { readonly ok: false; readonly reason: "not-admin" | "name-taken" };

/** A key that a request presented and that may be used: its record and the actor it acts as. */
export interface AuthenticatedKey {
  readonly key: ApiKey;
  readonly actor: Actor;
  /** The stored hash, for per-key counters; not the key. */
  readonly hash: string;
}

export interface ApiKeyServiceOptions {
  readonly store: ApiKeyStore;
  readonly policy: Policy;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

export class ApiKeyService {
  readonly #store: ApiKeyStore;
  readonly #policy: Policy;
  readonly #clock: Clock;
  readonly #random: RandomSource | undefined;

  constructor(options: ApiKeyServiceOptions) {
    this.#store = options.store;
    this.#policy = options.policy;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random;
  }

  /** A new key named `name` (already checked against API_KEY_NAME_PATTERN by the caller). */
  async create(actor: Actor, name: string, scope: ApiKeyScope): Promise<KeyCreation> {
    if (!actor.isAdmin) return { ok: false, reason: "not-admin" };
    const key = generateApiKey(this.#random);
    const stored: ApiKey = { name, scope, createdBy: actor.jid, createdAt: nowSeconds(this.#clock) };
    const added = await guarded(() => this.#store.add(apiKeyHash(key), stored), "no key was made");
    return added ? { ok: true, key, stored } : { ok: false, reason: "name-taken" };
  }

  /** Every key, or undefined for a requester who is not an admin. */
  async list(actor: Actor): Promise<ApiKey[] | undefined> {
    if (!actor.isAdmin) return undefined;
    return guarded(() => this.#store.list(), "the list cannot be shown");
  }

  /** Whether a key of that name was there to revoke; undefined for a requester who is not an admin. */
  async revoke(actor: Actor, name: string): Promise<boolean | undefined> {
    if (!actor.isAdmin) return undefined;
    return guarded(() => this.#store.remove(name));
  }

  /** The key a request presents, if it exists and its admin still is one; undefined otherwise. */
  async authenticate(presented: string): Promise<AuthenticatedKey | undefined> {
    // Anything not shaped like a key needs no lookup.
    if (!API_KEY_PATTERN.test(presented)) return undefined;
    const hash = apiKeyHash(presented);
    const key = await guarded(() => this.#store.find(hash));
    if (key === undefined) return undefined;
    const actor = actorFor(key.createdBy, this.#policy);
    if (!actor.isAdmin) return undefined;
    const now = nowSeconds(this.#clock);
    if (key.lastUsedAt === undefined || now - key.lastUsedAt >= TOUCH_EVERY_SECONDS) {
      await guarded(() => this.#store.touch(hash, now));
    }
    return { key, actor, hash };
  }
}
