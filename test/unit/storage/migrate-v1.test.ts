/**
 * Layout v1 → v2 on an in-memory Redis (test/helpers/fake-redis.ts): what is carried over, what is dropped, and
 * what a second run does. test/integration/migration.test.ts runs the same fixture against a real Redis.
 */
import { describe, expect, it } from "vitest";
import type { InviteRecord } from "../../../src/invites/record.js";
import { createLogger } from "../../../src/logger.js";
import { eventTagValid } from "../../../src/storage/event-tag.js";
import {
  byInviterKey,
  eventsKey,
  idsKey,
  invitedByKey,
  inviteesKey,
  pendingKey,
  quotaKey,
  recordKey,
  usedKey,
} from "../../../src/storage/keys.js";
import { migrateV1 } from "../../../src/storage/migrate-v1.js";
import { tokenHash, verifyRecord } from "../../../src/storage/record.js";
import { FakeRedis } from "../../helpers/fake-redis.js";
import { TEST_SIGNING_KEYS } from "../../helpers/signing.js";
import { fixtureTokens, loadV1Fixture, V1_FIXTURE } from "../../helpers/v1-fixture.js";

const HOST = "example.org";
const NOW = Math.floor(Date.now() / 1000);
const DAY = 86_400;

function migrate(redis: FakeRedis, host = HOST, logs: string[] = []) {
  const log = createLogger("info", { write: (line: string) => logs.push(line) });
  return migrateV1({ client: redis.client, host, keys: TEST_SIGNING_KEYS, log });
}

/** A v1 value: the JSON envelope the v1 store wrote. */
const envelope = (value: unknown) => JSON.stringify({ value, expires: NOW * 1000 + 7 * DAY * 1000 });

/** The v2 record stored for a token, verified with the signing keys; undefined if absent or not signed right. */
async function recordOf(redis: FakeRedis, token: string, host = HOST): Promise<InviteRecord | undefined> {
  const hash = tokenHash(token);
  const raw = await redis.get(recordKey(host, hash));
  return raw === null ? undefined : verifyRecord(TEST_SIGNING_KEYS, host, hash, JSON.parse(raw).value);
}

/** The keys no v2 name starts like: what is left of v1. */
const v1Keys = (redis: FakeRedis) => redis.keys().filter((key) => !key.startsWith("invite:{"));

describe("migrateV1: invites", () => {
  it("re-signs each pending invite under its token's hash, in every index", async () => {
    const redis = new FakeRedis();
    const invite = {
      type: "register",
      jid: "bob@example.org",
      allow_registration: true,
      additional_data: { source: "admin@example.org/pc", username: "bob" },
      created_at: NOW - 60,
      expires: NOW + DAY,
      reusable: false,
    };
    await redis.set(`invite:${HOST}:token:TOKEN-ONE`, envelope({ ...invite, token: "TOKEN-ONE" }));
    expect(await migrate(redis)).toEqual({ invites: 1, quotas: 0, relations: 0, events: 0 });
    expect(await recordOf(redis, "TOKEN-ONE")).toEqual(invite);
    const hash = tokenHash("TOKEN-ONE");
    expect(redis.peek(pendingKey(HOST))).toEqual(new Map([[hash, NOW + DAY]]));
    expect(redis.peek(byInviterKey(HOST, "admin@example.org"))).toEqual(new Map([[hash, NOW + DAY]]));
    expect(redis.peek(idsKey(HOST))).toEqual(new Map([[hash, 0]]));
    expect(await redis.pTTL(recordKey(HOST, hash))).toBeGreaterThan((DAY - 5) * 1000);
    expect(v1Keys(redis)).toEqual([]);
  });

  it("turns uses_left into the used counter of a counted invite", async () => {
    const redis = new FakeRedis();
    const invite = {
      type: "register",
      jid: HOST,
      additional_data: { max_uses: 5, uses_left: 2 },
      created_at: NOW,
      expires: NOW + DAY,
      reusable: true,
    };
    await redis.set(`invite:${HOST}:token:COUNTED`, envelope(invite));
    await migrate(redis);
    expect((await recordOf(redis, "COUNTED"))?.additional_data).toEqual({ max_uses: 5 });
    expect(await redis.get(usedKey(HOST, tokenHash("COUNTED")))).toBe("3");
  });

  it("makes a contact invite known only by its inviter key the inviter's roster invite", async () => {
    const redis = new FakeRedis();
    await redis.set(`invite:${HOST}:inviter:alice:CONTACT`, envelope(NOW + DAY));
    expect((await migrate(redis)).invites).toBe(1);
    expect(await recordOf(redis, "CONTACT")).toMatchObject({
      type: "roster",
      jid: "alice@example.org",
      allow_registration: false,
      expires: NOW + DAY,
      reusable: false,
    });
    expect(v1Keys(redis)).toEqual([]);
  });

  it("drops expired invites, unknown types and unreadable values, and deletes their v1 keys all the same", async () => {
    const redis = new FakeRedis();
    const base = { jid: "bob@example.org", created_at: NOW - DAY, reusable: false };
    await redis.set(`invite:${HOST}:token:EXPIRED`, envelope({ ...base, type: "register", expires: NOW - 1 }));
    await redis.set(`invite:${HOST}:token:ODD`, envelope({ ...base, type: "subscribe", expires: NOW + DAY }));
    await redis.set(`invite:${HOST}:token:NO-EXPIRY`, envelope({ ...base, type: "register" }));
    await redis.set(`invite:${HOST}:token:GARBLED`, "{not json");
    await redis.set(`invite:${HOST}:inviter:carol:OLD`, envelope(NOW - 1));
    expect((await migrate(redis)).invites).toBe(0);
    expect(v1Keys(redis)).toEqual([]);
    expect(redis.keys()).toEqual([]);
  });

  it("leaves another host's keys alone, even one whose name starts with this host's", async () => {
    const redis = new FakeRedis();
    const other = `invite:${HOST}.net:token:ELSEWHERE`;
    await redis.set(other, envelope({ type: "register", jid: "x", created_at: NOW, expires: NOW + DAY }));
    await redis.set(`invite-quota:${HOST}.net:bob@example.org.net`, "x");
    expect(await migrate(redis)).toEqual({ invites: 0, quotas: 0, relations: 0, events: 0 });
    expect(redis.keys()).toEqual([`invite-quota:${HOST}.net:bob@example.org.net`, other]);
  });
});

describe("migrateV1: quota and who invited whom", () => {
  it("merges quota keys into v2 ones with their remaining TTL, and sets of invitees into existing sets", async () => {
    const redis = new FakeRedis();
    await redis.zAdd(`invite-quota:${HOST}:alice@example.org`, [{ value: "m1", score: 1 }]);
    await redis.pExpire(`invite-quota:${HOST}:alice@example.org`, 3_600_000);
    await redis.zAdd(quotaKey(HOST, "alice@example.org"), [{ value: "m2", score: 2 }]);
    await redis.sAdd(`invitees:${HOST}:alice@example.org`, ["bob@example.org"]);
    await redis.sAdd(inviteesKey(HOST, "alice@example.org"), ["carol@example.org"]);
    await redis.set(`invited-by:${HOST}:bob@example.org`, "alice@example.org");
    expect(await migrate(redis)).toEqual({ invites: 0, quotas: 1, relations: 2, events: 0 });
    expect(redis.peek(quotaKey(HOST, "alice@example.org"))).toEqual(
      new Map([
        ["m2", 2],
        ["m1", 1],
      ]),
    );
    const ttl = await redis.pTTL(quotaKey(HOST, "alice@example.org"));
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(redis.peek(inviteesKey(HOST, "alice@example.org"))).toEqual(
      new Set(["carol@example.org", "bob@example.org"]),
    );
    expect(await redis.get(invitedByKey(HOST, "bob@example.org"))).toBe("alice@example.org");
    expect(v1Keys(redis)).toEqual([]);
  });
});

describe("migrateV1: use events", () => {
  const event = (invitee: string) => ({ kind: "registered", inviter: "alice@example.org", invitee, at: "1" });

  it("carries every entry over, signed, when the v1 bot never read the stream", async () => {
    const redis = new FakeRedis();
    await redis.xAdd(`invite-events:${HOST}`, "1-0", event("bob@example.org"));
    await redis.xAdd(`invite-events:${HOST}`, "2-0", event("carol@example.org"));
    const logs: string[] = [];
    expect((await migrate(redis, HOST, logs)).events).toBe(2);
    const carried = await redis.xRange(eventsKey(HOST), "-", "+");
    expect(carried.map((e) => e.message.invitee)).toEqual(["bob@example.org", "carol@example.org"]);
    expect(carried.every((e) => eventTagValid(TEST_SIGNING_KEYS, HOST, e.message))).toBe(true);
    expect(await redis.exists(`invite-events:${HOST}`)).toBe(0);
    expect(logs.join("")).toMatch(/Carried unacknowledged layout-1 use events .*count=2/u);
  });

  it("carries only what the group has not acknowledged: pending or never delivered", async () => {
    const redis = new FakeRedis();
    const source = `invite-events:${HOST}`;
    for (const [id, who] of [
      ["1-0", "acked"],
      ["2-0", "pending"],
      ["3-0", "undelivered"],
    ] as const) {
      await redis.xAdd(source, id, event(`${who}@example.org`));
    }
    await redis.xGroupCreate(source, "xmpp-invite-bot", "0");
    await redis.xReadGroup("xmpp-invite-bot", "invites", { key: source, id: ">" }, { COUNT: 2 });
    await redis.xAck(source, "xmpp-invite-bot", "1-0");
    await migrate(redis);
    const carried = await redis.xRange(eventsKey(HOST), "-", "+");
    expect(carried.map((e) => e.message.invitee)).toEqual(["pending@example.org", "undelivered@example.org"]);
  });
});

describe("migrateV1 on the store the v1 code wrote (test/fixtures/v1-store)", () => {
  it("moves everything, and finds nothing to do the second time", async () => {
    const redis = new FakeRedis();
    await loadV1Fixture(redis.raw);
    const host = V1_FIXTURE.host;
    const tokens = [...new Set([...fixtureTokens("token"), ...fixtureTokens("inviter")])];
    const counts = await migrate(redis, host);
    expect(counts).toEqual({ invites: tokens.length, quotas: 2, relations: 6, events: 2 });
    expect(v1Keys(redis)).toEqual([]);
    for (const token of tokens) expect(await recordOf(redis, token, host), token).toBeDefined();
    const carried = await redis.xRange(eventsKey(host), "-", "+");
    expect(carried.map((e) => e.message.invitee)).toEqual(["hank@localhost", "admin@localhost"]);

    const before = redis.keys();
    expect(await migrate(redis, host)).toEqual({ invites: 0, quotas: 0, relations: 0, events: 0 });
    expect(redis.keys()).toEqual(before);
  });
});
