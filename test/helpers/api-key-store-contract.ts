/**
 * The ApiKeyStore contract (src/invites/api-keys.ts), run against every implementation: the memory store in unit
 * tests, Redis in integration (with a sibling instance and the backend away there).
 */
import { describe, expect, it } from "vitest";
import { type ApiKey, type ApiKeyStore, apiKeyHash, generateApiKey } from "../../src/invites/api-keys.js";
import { StoreUnavailableError } from "../../src/invites/store.js";
import { type BackendAway, rejection, timed } from "./backend-away.js";

export interface ApiKeyStoreSubject {
  store: ApiKeyStore;
  /** The same keys as another bot instance sees them, where there can be one. */
  sibling?: ApiKeyStore;
}

let made = 0;
/** A name and a key no other test (nor an earlier run on the same backend) has used. */
function newKey(scope: ApiKey["scope"] = "create"): { hash: string; key: ApiKey } {
  made += 1;
  const name = `k${process.pid}-${Date.now() % 1e6}-${made}`;
  return {
    hash: apiKeyHash(generateApiKey()),
    key: { name, scope, createdBy: "admin@example.org", createdAt: 1_800_000_000 },
  };
}

export function apiKeyStoreContract(
  name: string,
  subject: () => ApiKeyStoreSubject,
  { away = [] }: { readonly away?: readonly BackendAway[] } = {},
): void {
  describe(`${name} follows the ApiKeyStore contract`, () => {
    it("finds a key by its hash, with every field, and nothing by another hash", async () => {
      const { store } = subject();
      const { hash, key } = newKey("manage");
      expect(await store.add(hash, key)).toBe(true);
      expect(await store.find(hash)).toEqual(key);
      expect(await store.find(apiKeyHash(generateApiKey()))).toBeUndefined();
    });

    it("keeps names unique: a second key of a taken name is not saved", async () => {
      const { store } = subject();
      const first = newKey();
      const second = { hash: apiKeyHash(generateApiKey()), key: { ...first.key, scope: "manage" as const } };
      expect(await store.add(first.hash, first.key)).toBe(true);
      expect(await store.add(second.hash, second.key)).toBe(false);
      expect(await store.find(second.hash)).toBeUndefined();
      expect(await store.find(first.hash)).toEqual(first.key);
    });

    it("lists every key by name, and revokes by name: the key is gone and its name free again", async () => {
      const { store } = subject();
      const one = newKey();
      const two = newKey("manage");
      await store.add(two.hash, two.key);
      await store.add(one.hash, one.key);
      const names = (await store.list()).map((key) => key.name);
      expect(names).toEqual(expect.arrayContaining([one.key.name, two.key.name]));
      expect(names.indexOf(one.key.name)).toBeLessThan(names.indexOf(two.key.name));
      expect(await store.remove(one.key.name)).toBe(true);
      expect(await store.remove(one.key.name)).toBe(false);
      expect(await store.find(one.hash)).toBeUndefined();
      expect((await store.list()).map((key) => key.name)).not.toContain(one.key.name);
      const again = { hash: apiKeyHash(generateApiKey()), key: one.key };
      expect(await store.add(again.hash, again.key)).toBe(true);
      expect(await store.find(again.hash)).toEqual(one.key);
    });

    it("records the last use of a key, and never brings a revoked key back", async () => {
      const { store } = subject();
      const { hash, key } = newKey();
      await store.add(hash, key);
      await store.touch(hash, 1_800_000_123);
      expect(await store.find(hash)).toEqual({ ...key, lastUsedAt: 1_800_000_123 });
      await store.remove(key.name);
      await store.touch(hash, 1_800_000_200);
      expect(await store.find(hash)).toBeUndefined();
      expect((await store.list()).map((listed) => listed.name)).not.toContain(key.name);
    });

    it("gives one of many keys made at once under one name", async () => {
      const { store, sibling } = subject();
      const { key } = newKey();
      const tries = Array.from({ length: 10 }, (_, i) => ({ hash: apiKeyHash(generateApiKey()), which: i }));
      const added = await Promise.all(
        tries.map(({ hash, which }) => (which % 2 === 1 && sibling ? sibling : store).add(hash, key)),
      );
      expect(added.filter(Boolean)).toHaveLength(1);
      const found = await Promise.all(tries.map(({ hash }) => store.find(hash)));
      expect(found.filter((each) => each !== undefined)).toHaveLength(1);
    });

    it("shares keys with every instance on the same backend", async () => {
      const { store, sibling = store } = subject();
      const { hash, key } = newKey();
      await store.add(hash, key);
      expect(await sibling.find(hash)).toEqual(key);
      expect(await sibling.remove(key.name)).toBe(true);
      expect(await store.find(hash)).toBeUndefined();
    });

    for (const backend of away) {
      describe(`backend away: ${backend.name}`, () => {
        it("rejects with StoreUnavailableError in time, and has the key once the backend is back", async () => {
          const { store } = subject();
          const { hash, key } = newKey();
          await store.add(hash, key);
          await backend.enter();
          try {
            const { ms, outcome } = await timed(() => store.find(hash));
            expect(rejection(outcome)).toBeInstanceOf(StoreUnavailableError);
            expect(ms).toBeLessThanOrEqual(backend.failsWithinMs);
          } finally {
            await backend.leave();
          }
          expect(await store.find(hash)).toEqual(key);
        });
      });
    }
  });
}
