/**
 * API keys (docs/api.md): what a key is, how it is named and stored, and the port its store follows. A key is
 * `xib_` and 32 CSPRNG bytes in base64url; only its SHA-256 is ever stored, like an invite token's
 * (docs/security.md), so a copy of the store hands no key to anyone.
 */
import { createHash, randomBytes } from "node:crypto";
import type { RandomSource } from "./token.js";

/** `create` may only make invites; `manage` may also list, read and revoke them. */
export const API_KEY_SCOPES = ["create", "manage"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The prefix says what the secret is (secret scanners and people alike): "xmpp-invite-bot". */
export const API_KEY_PREFIX = "xib_";
export const API_KEY_BYTES = 32;
/** `xib_` + 43 base64url characters (32 bytes, unpadded). */
export const API_KEY_PATTERN = /^xib_[A-Za-z0-9_-]{43}$/u;
/** Names are what admins type in chat to revoke: short, lower case, no spaces. */
export const API_KEY_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,39}$/u;

/** A key as stored and listed: never the key itself. */
export interface ApiKey {
  readonly name: string;
  readonly scope: ApiKeyScope;
  /** Bare JID of the admin who made it: the key acts as them (docs/api.md, "Authentication"). */
  readonly createdBy: string;
  /** Unix seconds. */
  readonly createdAt: number;
  /** Unix seconds of the last request it authenticated, to the minute; absent until then. */
  readonly lastUsedAt?: number;
}

/** The store of API keys, by the SHA-256 of each key, names unique. */
export interface ApiKeyStore {
  /** Saves a new key under its hash; resolves false, saving nothing, when the name is taken. */
  add(hash: string, key: ApiKey): Promise<boolean>;
  /** The key with this hash, or undefined when there is none (never made, or revoked). */
  find(hash: string): Promise<ApiKey | undefined>;
  /** Every key, by name. */
  list(): Promise<ApiKey[]>;
  /** Removes the key of this name; resolves false when there is none. */
  remove(name: string): Promise<boolean>;
  /** Records that the key with this hash was used at `at` (unix seconds); nothing when it is gone. */
  touch(hash: string, at: number): Promise<void>;
}

export function isApiKeyScope(text: string): text is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(text);
}

/** A new key from a CSPRNG: shown once to the admin who asked, never stored or logged. */
export function generateApiKey(random: RandomSource = randomBytes): string {
  return `${API_KEY_PREFIX}${random(API_KEY_BYTES).toString("base64url")}`;
}

/** base64url(SHA-256(key)), 43 characters: the name of a key in storage. */
export function apiKeyHash(key: string): string {
  return createHash("sha256").update(key).digest("base64url");
}
