/**
 * ensureLayout on an in-memory Redis (test/helpers/fake-redis.ts): use v3 as it is, refuse a layout it does not
 * know, migrate v1 and v2 under a lock that only one instance holds, and wait for (or take over from) another
 * instance.
 * Two real instances at once against a real Redis: test/integration/migration.test.ts.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Events } from "../../../src/events.js";
import { createLogger } from "../../../src/logger.js";
import type { StorageEvents } from "../../../src/storage/backend.js";
import { LAYOUT_VERSION, layoutKey, migratingKey } from "../../../src/storage/keys.js";
import { ensureLayout, UnknownLayoutError } from "../../../src/storage/layout.js";
import { FakeRedis } from "../../helpers/fake-redis.js";
import { TEST_SIGNING_KEYS } from "../../helpers/signing.js";
import { loadV1Fixture, V1_FIXTURE } from "../../helpers/v1-fixture.js";

const HOST = "example.org";

function ensure(redis: FakeRedis, logs: string[] = [], host = HOST, migrations: unknown[] = []) {
  const log = createLogger("info", { write: (line: string) => logs.push(line) });
  const events = new Events<StorageEvents>();
  events.on("layout-migrated", (migrated) => migrations.push(migrated));
  return ensureLayout({ client: redis.client, host, keys: TEST_SIGNING_KEYS, log, events });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("ensureLayout", () => {
  it("uses a v3 store as it is: one read, nothing written", async () => {
    const redis = new FakeRedis();
    await redis.set(layoutKey(HOST), LAYOUT_VERSION);
    redis.commands.length = 0;
    await ensure(redis);
    expect(redis.commands).toEqual(["get"]);
  });

  it("stops at a layout it does not know, saying which, and writes nothing", async () => {
    const redis = new FakeRedis();
    for (const unknown of ["4", "1", "v3", ""]) {
      await redis.set(layoutKey(HOST), unknown);
      redis.commands.length = 0;
      const failure = await ensure(redis).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UnknownLayoutError);
      expect((failure as Error).message).toContain(`has layout ${unknown} for example.org; `);
      expect((failure as Error).message).toContain("reads layout 3 only (and migrates 1 and 2 to it)");
      expect(redis.commands).toEqual(["get"]);
    }
  });

  it("moves a v2 store to 3 under the lock, changing nothing else, and says so once", async () => {
    const redis = new FakeRedis();
    await redis.set(layoutKey(HOST), "2");
    await redis.set(`invite:{${HOST}}:rec:somehash`, "a record as it was");
    const [logs, migrations]: [string[], unknown[]] = [[], []];
    await ensure(redis, logs, HOST, migrations);
    await ensure(redis, logs, HOST, migrations);
    expect(await redis.get(layoutKey(HOST))).toBe("3");
    expect(redis.keys().sort()).toEqual([layoutKey(HOST), `invite:{${HOST}}:rec:somehash`]);
    expect(await redis.get(`invite:{${HOST}}:rec:somehash`)).toBe("a record as it was");
    expect(redis.commands).not.toContain("scan");
    expect(migrations).toEqual([{ host: HOST, from: "2", to: "3", counts: {} }]);
    const said = logs.filter((line) => line.includes("Storage layout 2 → 3: circles"));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/INFO .*host=example\.org/u);
  });

  it("does not migrate again what another instance moved to 3 while it waited for the lock", async () => {
    vi.useFakeTimers();
    const redis = new FakeRedis();
    await redis.set(layoutKey(HOST), "2");
    await redis.set(migratingKey(HOST), "other-instance", { PX: 30_000 });
    const migrations: unknown[] = [];
    const waiting = ensure(redis, [], HOST, migrations);
    await vi.advanceTimersByTimeAsync(1_000);
    await redis.set(layoutKey(HOST), "3");
    await redis.del(migratingKey(HOST));
    await vi.advanceTimersByTimeAsync(200);
    await waiting;
    expect(migrations).toEqual([]);
  });

  it("marks an empty store v3 under the lock, releases the lock, and migrates nothing", async () => {
    const redis = new FakeRedis();
    const [logs, migrations]: [string[], unknown[]] = [[], []];
    await ensure(redis, logs, HOST, migrations);
    expect(redis.keys()).toEqual([layoutKey(HOST)]);
    expect(await redis.get(layoutKey(HOST))).toBe(LAYOUT_VERSION);
    expect(migrations).toEqual([]);
    expect(logs.filter((line) => line.includes("Migrated"))).toEqual([]);
  });

  it("migrates a v1 store once, and says so", async () => {
    const redis = new FakeRedis();
    await loadV1Fixture(redis.raw);
    const [logs, migrations]: [string[], unknown[]] = [[], []];
    await ensure(redis, logs, V1_FIXTURE.host, migrations);
    await ensure(redis, logs, V1_FIXTURE.host, migrations);
    expect(migrations).toEqual([
      {
        host: V1_FIXTURE.host,
        from: "1",
        to: "3",
        counts: expect.objectContaining({ quotas: 2, relations: 6, events: 2 }),
      },
    ]);
    expect(await redis.get(layoutKey(V1_FIXTURE.host))).toBe(LAYOUT_VERSION);
    expect(await redis.exists(migratingKey(V1_FIXTURE.host))).toBe(0);
    const migrated = logs.filter((line) => line.includes("Migrated the invite store from layout 1 to layout 3"));
    expect(migrated).toHaveLength(1);
    expect(migrated[0]).toMatch(/host=localhost invites=\d+ quotas=2 relations=6 events=2/u);
  });

  it("waits while another instance holds the lock, and migrates nothing itself", async () => {
    vi.useFakeTimers();
    const redis = new FakeRedis();
    await redis.set(migratingKey(HOST), "other-instance", { PX: 30_000 });
    let done = false;
    const waiting = ensure(redis).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(done).toBe(false);
    // The other instance finishes: layout written, lock released.
    await redis.set(layoutKey(HOST), LAYOUT_VERSION);
    await redis.del(migratingKey(HOST));
    await vi.advanceTimersByTimeAsync(200);
    await waiting;
    expect(done).toBe(true);
    expect(redis.commands).not.toContain("scan");
  });

  it("takes over when the other instance's lock expires, and warns once after waiting long", async () => {
    vi.useFakeTimers();
    const redis = new FakeRedis();
    const logs: string[] = [];
    const stuck = async () => {
      // An instance that renews its lock for 70 s and then dies without releasing it.
      for (let t = 0; t < 70_000; t += 10_000) {
        await redis.set(migratingKey(HOST), "stuck-instance", { PX: 30_000 });
        await vi.advanceTimersByTimeAsync(10_000);
      }
    };
    const waiting = ensure(redis, logs);
    await stuck();
    expect(await redis.get(layoutKey(HOST))).toBeNull();
    await vi.advanceTimersByTimeAsync(30_000);
    await waiting;
    expect(await redis.get(layoutKey(HOST))).toBe(LAYOUT_VERSION);
    expect(logs.filter((line) => line.includes("Another instance has been migrating"))).toHaveLength(1);
  });
});
