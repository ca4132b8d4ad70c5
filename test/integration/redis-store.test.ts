/** The Redis store against a real Redis: the shared contract and the raw layout v3 of docs/storage.md. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Invite } from "../../src/invites/invite.js";
import { inviteId } from "../../src/invites/pending.js";
import { recordOf } from "../../src/invites/record.js";
import { createLogger } from "../../src/logger.js";
import {
  byInviterKey,
  idsKey,
  invitedByKey,
  inviteesKey,
  joinedKey,
  LAYOUT_VERSION,
  layoutKey,
  pendingKey,
  recordKey,
} from "../../src/storage/keys.js";
import { tokenHash, verifyRecord } from "../../src/storage/record.js";
import { type RedisBackend, redisBackend } from "../../src/storage/redis-backend.js";
import { createRedisClient } from "../../src/storage/redis-client.js";
import { quotaTreeContract, recordRegistration } from "../helpers/quota-tree-contract.js";
import { readRawRecord, recordWith, writeRawRecord } from "../helpers/raw-records.js";
import { type RedisServer, startRedis } from "../helpers/redis-server.js";
import { requireBinaries } from "../helpers/require-binary.js";
import { type RawRedis, rawRedisClient } from "../helpers/scenario.js";
import { TEST_OLD_SIGNING_KEY, TEST_SIGNING_KEYS } from "../helpers/signing.js";
import { inviteStatsContract } from "../helpers/stats-contract.js";
import { inviteStoreContract, quotaStoreContract, relationsStoreContract } from "../helpers/store-contract.js";

const HOST = "example.org";
let server: RedisServer;
let backend: RedisBackend;
let raw: RawRedis;
const logs: string[] = [];

beforeAll(async () => {
  requireBinaries(["redis-server"]);
  server = await startRedis();
  backend = redisBackend({
    redis: createRedisClient(server.botUrl, 1000),
    host: HOST,
    timeoutMs: 1000,
    signingKeys: TEST_SIGNING_KEYS,
    log: createLogger("debug", { write: (line: string) => logs.push(line) }),
  });
  backend.start();
  raw = rawRedisClient(server.url);
  raw.on("error", () => {});
  await raw.connect();
  await backend.ready();
});

afterAll(async () => {
  await backend?.stop();
  if (raw?.isOpen) raw.destroy();
  await server?.stop();
});

inviteStoreContract("RedisInvites", () => ({
  store: backend.invites,
  now: () => Math.floor(Date.now() / 1000),
  advance: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
  clear: async () => {
    await raw.flushDb();
    await raw.set(layoutKey(HOST), LAYOUT_VERSION);
  },
  takeUse: async (token) => {
    const outcome = await backend.claims.claim(token);
    if (!outcome.ok) throw new Error(`no use left to take: ${outcome.reason}`);
    await outcome.claim.keep();
  },
}));

inviteStatsContract("RedisInviteStats", () => ({
  store: backend.invites,
  stats: backend.stats,
  now: () => Math.floor(Date.now() / 1000),
  clear: async () => {
    await raw.flushDb();
    await raw.set(layoutKey(HOST), LAYOUT_VERSION);
  },
  takeUse: async (token) => {
    const outcome = await backend.claims.claim(token);
    if (!outcome.ok) throw new Error(`no use left to take: ${outcome.reason}`);
    await outcome.claim.keep();
  },
}));

function contactInvite(token: string, now: number): Invite {
  return {
    type: "roster",
    jid: "alice@example.org",
    token,
    allow_registration: true,
    additional_data: { source: "alice@example.org/phone" },
    uri: `xmpp:alice@example.org?roster;preauth=${token};ibr=y`,
    created_at: now,
    expires: now + 3600,
    reusable: false,
    landing_page: `https://example.org/invite/${token}`,
  };
}

quotaStoreContract("RedisQuota", () => ({
  store: backend.quota,
  invites: backend.invites,
  markJoined: async (account, atSeconds) => {
    await raw.zAdd(joinedKey(HOST), { score: atSeconds, value: account }, { NX: true });
  },
  nowMs: () => Date.now(),
  advanceMs: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}));

quotaTreeContract("RedisQuota", () => ({
  store: backend.quota,
  invites: backend.invites,
  recordRegistration: (inviter, invitee, atSeconds) => recordRegistration(raw, HOST, inviter, invitee, atSeconds),
  nowMs: () => Date.now(),
}));

relationsStoreContract("RedisRelations", () => ({
  store: backend.relations,
  // What the Prosody module's record_use script does (docs/storage.md, "Use events").
  recordUse: async (inviter, invitee) => {
    await raw.set(invitedByKey(HOST, invitee), inviter, { NX: true });
    await raw.sAdd(inviteesKey(HOST, inviter), invitee);
  },
  markJoined: async (account, atSeconds) => {
    await raw.zAdd(joinedKey(HOST), { score: atSeconds, value: account }, { NX: true });
  },
}));

describe("the raw layout in Redis (docs/storage.md)", () => {
  it("stores a signed record in keyv's envelope under the hash of the token, with a TTL and its indexes", async () => {
    const now = Math.floor(Date.now() / 1000);
    const invite = contactInvite("RawLayoutToken_000000001", now);
    await backend.invites.save(invite);
    const hash = tokenHash(invite.token);
    const envelope = JSON.parse((await raw.get(recordKey(HOST, hash))) ?? "null");
    expect(envelope).toEqual({
      value: { record: expect.any(String), tag: expect.any(String) },
      expires: now * 1000 + 3_600_000,
    });
    expect(JSON.parse(envelope.value.record)).toEqual(recordOf(invite));
    expect(verifyRecord(TEST_SIGNING_KEYS, HOST, hash, envelope.value)).toEqual(recordOf(invite));
    const ttl = await raw.pTTL(recordKey(HOST, hash));
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(await raw.zScore(pendingKey(HOST), hash)).toBe(invite.expires);
    expect(await raw.zScore(byInviterKey(HOST, "alice@example.org"), hash)).toBe(invite.expires);
    expect(await raw.zScore(idsKey(HOST), hash)).toBe(0);
  });

  it("keeps no token anywhere: not in a key, not in a value, not in a landing page", async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokens = ["NoTokenAtRest_0000000001", "NoTokenAtRest_0000000002"];
    for (const token of tokens) await backend.invites.save(contactInvite(token, now));
    const everything: string[] = [];
    for await (const keys of raw.scanIterator({ MATCH: "*", COUNT: 1000 })) {
      for (const key of keys) {
        everything.push(key);
        if ((await raw.type(key)) === "string") everything.push((await raw.get(key)) ?? "");
        if ((await raw.type(key)) === "zset") everything.push(...(await raw.zRange(key, 0, -1)));
      }
    }
    expect(everything.length).toBeGreaterThan(0);
    for (const token of tokens) expect(everything.join("\n")).not.toContain(token);
    expect(everything.every((text) => !text.startsWith("invite:") || text.startsWith(`invite:{${HOST}}:`))).toBe(true);
  });

  it("reads a record another writer (the Prosody module) signed, and one signed with the old key", async () => {
    const now = Math.floor(Date.now() / 1000);
    const reset = recordWith({ jid: "bob@example.org", additional_data: { allow_reset: "bob" }, created_at: now });
    const current = await writeRawRecord(raw, reset, { host: HOST });
    const old = await writeRawRecord(raw, reset, { host: HOST, signingKey: TEST_OLD_SIGNING_KEY });
    for (const token of [current, old]) {
      expect((await backend.invites.findById(inviteId(token))).map((s) => s.record)).toEqual([reset]);
    }
  });
});

describe("editing in Redis", () => {
  it("re-signs with the current key, keeps Prosody's fields, and edits no record it cannot verify", async () => {
    const now = Math.floor(Date.now() / 1000);
    const prosodys = { ...recordWith({ jid: "localhost", additional_data: {} }), written_by: "prosody" };
    const old = await writeRawRecord(raw, prosodys, { host: HOST, signingKey: TEST_OLD_SIGNING_KEY });
    const edited = await backend.invites.edit(tokenHash(old), { expires: now + 600 });
    expect(edited).toMatchObject({ ok: true, invite: { record: { ...prosodys, expires: now + 600 } } });
    const value = await readRawRecord(raw, old, HOST);
    expect(verifyRecord({ current: TEST_SIGNING_KEYS.current, old: [] }, HOST, tokenHash(old), value)).toEqual({
      ...prosodys,
      expires: now + 600,
    });
    const forgery = recordWith();
    const forged = await writeRawRecord(raw, forgery, { host: HOST, signingKey: "x".repeat(40) });
    const before = await raw.get(recordKey(HOST, tokenHash(forged)));
    expect(await backend.invites.edit(tokenHash(forged), { expires: now + 600 })).toEqual({
      ok: false,
      reason: "gone",
    });
    expect(await raw.get(recordKey(HOST, tokenHash(forged)))).toBe(before);
    expect(await raw.zScore(pendingKey(HOST), tokenHash(forged))).toBe(forgery.expires);
  });
});

describe("records written without the signing key", () => {
  const forgeries: Record<string, (token: string) => Promise<void>> = {
    "an unsigned record": async (token) => {
      await writeRawRecord(raw, recordWith(), { host: HOST, token, value: { record: JSON.stringify(recordWith()) } });
    },
    "a record signed with another key": async (token) => {
      await writeRawRecord(raw, recordWith(), { host: HOST, token, signingKey: "x".repeat(40) });
    },
    "a record whose text was edited after signing (roles added)": async (token) => {
      await writeRawRecord(raw, recordWith(), { host: HOST, token });
      const value = (await readRawRecord(raw, token, HOST)) as { record: string; tag: string };
      const edited = { ...JSON.parse(value.record), additional_data: { roles: { "prosody:admin": true } } };
      await writeRawRecord(raw, recordWith(), {
        host: HOST,
        token,
        value: { ...value, record: JSON.stringify(edited) },
      });
    },
    "a record and tag copied from another invite": async (token) => {
      const other = await writeRawRecord(raw, recordWith(), { host: HOST });
      const value = (await readRawRecord(raw, other, HOST)) as { record: string; tag: string };
      await writeRawRecord(raw, recordWith(), { host: HOST, token, value });
    },
    "a record signed for another host": async (token) => {
      const value = (await readRawRecord(
        raw,
        await writeRawRecord(raw, recordWith(), { host: "other.org", token }),
        "other.org",
      )) as object;
      await writeRawRecord(raw, recordWith(), { host: HOST, token, value: value as never });
    },
    "something that is not JSON at all": async (token) => {
      await writeRawRecord(raw, recordWith(), { host: HOST, token });
      await raw.set(recordKey(HOST, tokenHash(token)), "not json", { EX: 3600 });
    },
  };

  for (const [what, forge] of Object.entries(forgeries)) {
    it(`ignores ${what} in lists and lookups`, async () => {
      const token = `Forged${String(Object.keys(forgeries).indexOf(what)).padStart(18, "0")}`;
      await forge(token);
      const all = await backend.invites.listPage({ offset: 0, limit: 1000 });
      expect(all.invites.map((s) => s.hash)).not.toContain(tokenHash(token));
      expect(await backend.invites.findById(inviteId(token))).toEqual([]);
    });
  }

  it("says so in its log, without the token", async () => {
    expect(logs.join("")).toContain("signature does not verify");
    expect(logs.join("")).not.toMatch(/Forged0{12}/u);
  });
});
