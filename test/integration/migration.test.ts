/**
 * Layout v1 → v3 and v2 → v3 (docs/storage.md, "Versions and migration"), from a store the v1 code wrote
 * (test/fixtures/v1-store): every kind of invite, the quota, who invited whom and the event stream with pending
 * entries; from a v2 store with invites, which only changes its marker; two instances at once; a second run; a
 * layout this version does not know.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Events } from "../../src/events.js";
import { inviteId } from "../../src/invites/pending.js";
import { createLogger, type Logger } from "../../src/logger.js";
import type { StorageEvents } from "../../src/storage/backend.js";
import { eventTagValid } from "../../src/storage/event-tag.js";
import {
  eventsKey,
  idsKey,
  invitedByKey,
  inviteesKey,
  layoutKey,
  pendingKey,
  quotaKey,
} from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { type RedisBackend, redisBackend } from "../../src/storage/redis-backend.js";
import { createRedisClient } from "../../src/storage/redis-client.js";
import { tokenOf } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import { registerWithToken } from "../helpers/ibr-client.js";
import { recordWith, writeRawRecord } from "../helpers/raw-records.js";
import { type RedisServer, startRedis } from "../helpers/redis-server.js";
import { requireBinaries } from "../helpers/require-binary.js";
import { type RawRedis, rawRedisClient, type Scenario, startScenario } from "../helpers/scenario.js";
import { TEST_SIGNING_KEYS } from "../helpers/signing.js";
import { fixtureInvite, fixtureTokens, loadV1Fixture, V1_FIXTURE } from "../helpers/v1-fixture.js";

const HOST = V1_FIXTURE.host;
const V1_PATTERNS = [`invite:${HOST}:*`, `invite-quota:${HOST}:*`, `invited-by:${HOST}:*`, `invitees:${HOST}:*`];

let server: RedisServer;
let raw: RawRedis;
const stores: RedisBackend[] = [];

/** What a store says (its log lines) and does (its migrations, as events), for the checks. */
interface Watch {
  readonly logs: string[];
  readonly migrations: StorageEvents["layout-migrated"][];
}

const watch = (): Watch => ({ logs: [], migrations: [] });

function newStore({ logs, migrations }: Watch, onFatal?: (error: Error) => void): RedisBackend {
  const log: Logger = createLogger("info", { write: (line: string) => logs.push(line) });
  const events = new Events<StorageEvents>();
  events.on("layout-migrated", (migrated) => migrations.push(migrated));
  const store = redisBackend({
    redis: createRedisClient(server.botUrl, 2000),
    host: HOST,
    timeoutMs: 2000,
    signingKeys: TEST_SIGNING_KEYS,
    log,
    events,
    ...(onFatal === undefined ? {} : { onFatal }),
  });
  stores.push(store);
  store.start();
  return store;
}

/** Every key with its type and content, for before/after comparisons. */
async function dump(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const keys: string[] = [];
  for await (const batch of raw.scanIterator({ MATCH: "*", COUNT: 1000 })) keys.push(...batch);
  for (const key of keys.sort()) {
    const type = await raw.type(key);
    if (type === "string") out[key] = await raw.get(key);
    else if (type === "zset") out[key] = await raw.zRangeWithScores(key, 0, -1);
    else if (type === "set") out[key] = (await raw.sMembers(key)).sort();
    else if (type === "stream")
      out[key] = { entries: await raw.xRange(key, "-", "+"), groups: await raw.xInfoGroups(key) };
  }
  return out;
}

async function v1Keys(): Promise<string[]> {
  const found: string[] = [];
  for (const pattern of V1_PATTERNS) for await (const keys of raw.scanIterator({ MATCH: pattern })) found.push(...keys);
  return found.filter((key) => !key.startsWith(`invite:{`));
}

describe("migrating a v1 store on a bare Redis", () => {
  beforeAll(async () => {
    requireBinaries(["redis-server"]);
    server = await startRedis();
    raw = rawRedisClient(server.url);
    raw.on("error", () => {});
    await raw.connect();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.stop()));
    await raw.flushDb();
  });

  afterAll(async () => {
    if (raw?.isOpen) raw.destroy();
    await server?.stop();
  });

  it("moves every invite, the quota, who invited whom and the event stream to layout 3", async () => {
    await loadV1Fixture(raw);
    const quotaBefore = await raw.zCard(`invite-quota:${HOST}:alice@localhost`);
    const seen = watch();
    const store = newStore(seen);
    await store.ready();

    expect(await raw.get(layoutKey(HOST))).toBe("3");
    expect(await v1Keys()).toEqual([]);
    const tokens = [...new Set([...fixtureTokens("token"), ...fixtureTokens("inviter")])];
    expect(await raw.zCard(pendingKey(HOST))).toBe(tokens.length);
    expect(await raw.zCard(idsKey(HOST))).toBe(tokens.length);
    for (const token of tokens) {
      const [found] = await store.invites.findById(inviteId(token));
      expect(found?.hash).toBe(tokenHash(token));
    }
    // The counted invite with one of its two uses taken keeps that count; the club invite has all 3 left.
    const counted = fixtureTokens("token").filter((t) => fixtureInvite(t).reusable === true);
    const usesLeft = await Promise.all(
      counted.map(async (token) => {
        const [stored] = await store.invites.findById(inviteId(token));
        return `${(stored?.record.additional_data?.max_uses ?? 0) - (stored?.used ?? 0)}/${stored?.record.additional_data?.max_uses}`;
      }),
    );
    expect(usesLeft.sort()).toEqual(["1/2", "3/3"]);
    const admins = await store.invites.listPage({ inviter: "admin@localhost", offset: 0, limit: 25 });
    expect(
      admins.invites
        .map((s) => s.record.additional_data?.note)
        .filter(Boolean)
        .sort(),
    ).toEqual(["club", "plain account"]);
    expect(await raw.zCard(quotaKey(HOST, "alice@localhost"))).toBe(quotaBefore);
    expect(await raw.get(invitedByKey(HOST, "gina@localhost"))).toBe("admin@localhost");
    expect(await raw.sMembers(inviteesKey(HOST, "alice@localhost"))).toEqual(["hank@localhost"]);
    // The two uses the v1 bot had not acknowledged (one delivered, one not), signed as layout 2 signs events.
    const carried = await raw.xRange(eventsKey(HOST), "-", "+");
    expect(carried.map((entry) => entry.message.invitee)).toEqual(["hank@localhost", "admin@localhost"]);
    expect(carried.every((entry) => eventTagValid(TEST_SIGNING_KEYS, HOST, entry.message))).toBe(true);
    expect(seen.migrations).toEqual([
      { host: HOST, from: "1", to: "3", counts: expect.objectContaining({ quotas: 2, relations: 6, events: 2 }) },
    ]);
  });

  it("is done by exactly one of two instances starting at the same moment", async () => {
    await loadV1Fixture(raw);
    const seen = watch();
    const [one, two] = [newStore(seen), newStore(seen)];
    await Promise.all([one.ready(), two.ready()]);
    expect(seen.migrations).toHaveLength(1);
    expect(await v1Keys()).toEqual([]);
    expect(await raw.zCard(pendingKey(HOST))).toBe(
      new Set([...fixtureTokens("token"), ...fixtureTokens("inviter")]).size,
    );
  });

  it("does nothing the second time", async () => {
    await loadV1Fixture(raw);
    await newStore(watch()).ready();
    const before = await dump();
    const second = watch();
    await newStore(second).ready();
    expect(second.migrations).toEqual([]);
    expect(await dump()).toEqual(before);
  });

  it("appends the unacknowledged v1 events when Prosody already wrote v2 events", async () => {
    await loadV1Fixture(raw);
    await raw.xAdd(eventsKey(HOST), "*", { kind: "registered", invitee: "ivy@localhost", at: "1" });
    await newStore(watch()).ready();
    const invitees = (await raw.xRange(eventsKey(HOST), "-", "+")).map((e) => e.message.invitee);
    // gina's was acknowledged by the v1 bot; hank's was delivered but not acknowledged; admin's never delivered.
    expect(invitees).toEqual(["ivy@localhost", "hank@localhost", "admin@localhost"]);
  });

  it("stops with a clear reason at a layout it does not know, and writes nothing", async () => {
    await loadV1Fixture(raw);
    await raw.set(layoutKey(HOST), "4");
    const before = await dump();
    const seen = watch();
    const fatal = new Promise<Error>((resolve) => newStore(seen, resolve));
    expect((await fatal).message).toContain("layout 4");
    expect(seen.logs.join("")).toContain("reads layout 3 only (and migrates 1 and 2 to it)");
    expect(await dump()).toEqual(before);
  });
});

describe("moving a v2 store to layout 3 on a bare Redis", () => {
  beforeAll(async () => {
    requireBinaries(["redis-server"]);
    server = await startRedis();
    raw = rawRedisClient(server.url);
    raw.on("error", () => {});
    await raw.connect();
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.stop()));
    await raw.flushDb();
  });

  afterAll(async () => {
    if (raw?.isOpen) raw.destroy();
    await server?.stop();
  });

  /** A v2 store as the bot before circles left it: two invites with their indexes, a relation, the marker 2. */
  async function v2Store(): Promise<string[]> {
    const tokens = [await writeRawRecord(raw, recordWith()), await writeRawRecord(raw, recordWith())];
    await raw.set(invitedByKey(HOST, "gina@localhost"), "admin@localhost");
    await raw.set(layoutKey(HOST), "2");
    return tokens;
  }

  it("sets the marker to 3 and changes nothing else; its invites still work; said once at info", async () => {
    const tokens = await v2Store();
    const before = await dump();
    const seen = watch();
    const store = newStore(seen);
    await store.ready();
    expect(await raw.get(layoutKey(HOST))).toBe("3");
    expect(await dump()).toEqual({ ...before, [layoutKey(HOST)]: "3" });
    expect(seen.migrations).toEqual([{ host: HOST, from: "2", to: "3", counts: {} }]);
    const said = seen.logs.filter((line) => line.includes("Storage layout 2 → 3: circles"));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/INFO .*host=localhost/u);
    const [first, second] = tokens as [string, string];
    expect((await store.invites.findByToken(first))?.hash).toBe(tokenHash(first));
    const claim = await store.claims.claim(second, { kind: "registered", invitee: "newcomer@localhost" });
    expect(claim.ok).toBe(true);
  });

  it("is done by exactly one of three instances starting at the same moment", async () => {
    await v2Store();
    const seen = watch();
    const racers = [newStore(seen), newStore(seen), newStore(seen)];
    await Promise.all(racers.map((store) => store.ready()));
    expect(seen.migrations).toEqual([{ host: HOST, from: "2", to: "3", counts: {} }]);
    expect(seen.logs.filter((line) => line.includes("Storage layout 2 → 3: circles"))).toHaveLength(1);
    expect(await raw.get(layoutKey(HOST))).toBe("3");
  });
});

describe("a migrated store in use, with Prosody", () => {
  let world: Scenario;

  beforeAll(async () => {
    world = await startScenario({ inviteModule: true });
    await loadV1Fixture(world.redis);
  });

  afterAll(async () => world?.stop());

  it("tells the inviters about the uses the v1 bot had not told, and the v1 tokens still register", async () => {
    const [alice, bob] = await world.loginAll(["alice@localhost", "bob@localhost"]);
    // The v1 bot's resource; the uses it had not told are new, signed entries of the v2 stream, for any consumer.
    const bot = await world.startBot("bot", { XMPP_RESOURCE: "invites" });
    await alice.nextMessage({ from: bot.jid, body: /hank@localhost accepted your invite/u });
    await bob.nextMessage({ from: bot.jid, body: /admin@localhost accepted your invite/u });

    const plain = fixtureTokens("token").find(
      (t) => (fixtureInvite(t).additional_data as { note?: string })?.note === "plain account",
    );
    const result = await registerWithToken({
      port: world.servers.prosody.port,
      domain: "localhost",
      token: tokenOf(`preauth=${plain}`),
      username: "migrated1",
      password: "migrated1-pw",
    });
    expect(result.register.attrs.type).toBe("result");
    await eventually(async () => {
      expect(await bot.app.store.findById(inviteId(plain ?? ""))).toEqual([]);
    });
  });

  it("moves a v2 store to 3 on start, and Prosody registers with its invites then", async () => {
    await world.redis.set(layoutKey(HOST), "2");
    const token = await writeRawRecord(world.redis, recordWith());
    await world.startBot("bot", { XMPP_RESOURCE: "after-circles" });
    await eventually(async () => {
      expect(await world.redis.get(layoutKey(HOST))).toBe("3");
    });
    const result = await registerWithToken({
      port: world.servers.prosody.port,
      domain: "localhost",
      token,
      username: "fromv2",
      password: "fromv2-pw",
    });
    expect(result.register.attrs.type).toBe("result");
  });
});
