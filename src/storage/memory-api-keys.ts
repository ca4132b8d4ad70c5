/** The API keys in Maps (the same behaviour as redis-api-keys.ts), for unit tests. */
import type { ApiKey, ApiKeyStore } from "../invites/api-keys.js";

export class MemoryApiKeys implements ApiKeyStore {
  /** hash → key */
  readonly #keys = new Map<string, ApiKey>();
  /** name → hash */
  readonly #names = new Map<string, string>();

  async add(hash: string, key: ApiKey): Promise<boolean> {
    if (this.#names.has(key.name)) return false;
    this.#names.set(key.name, hash);
    this.#keys.set(hash, { ...key });
    return true;
  }

  async find(hash: string): Promise<ApiKey | undefined> {
    const key = this.#keys.get(hash);
    return key === undefined ? undefined : { ...key };
  }

  async list(): Promise<ApiKey[]> {
    return [...this.#keys.values()].map((key) => ({ ...key })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async remove(name: string): Promise<boolean> {
    const hash = this.#names.get(name);
    if (hash === undefined) return false;
    this.#names.delete(name);
    this.#keys.delete(hash);
    return true;
  }

  async touch(hash: string, at: number): Promise<void> {
    const key = this.#keys.get(hash);
    if (key !== undefined) this.#keys.set(hash, { ...key, lastUsedAt: at });
  }
}
