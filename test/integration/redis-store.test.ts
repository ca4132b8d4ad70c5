/** The Redis store against a real Redis: the shared contract and the raw layout of docs/storage.md. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Invite } from "../../src/invites/invite.js";
import { createLogger } from "../../src/logger.js";
import { RedisInviteStore } from "../../src/storage/redis-store.js";
import { eventually } from "../helpers/bot.js";
import { type RedisServer, startRedis } from "../helpers/redis-server.js";
import { requireBinaries } from "../helpers/require-binary.js";
import { type RawRedis, rawRedisClient } from "../helpers/scenario.js";
import { inviteStoreContract } from "../helpers/store-contract.js";

let server: RedisServer;
let store: RedisInviteStore;
let raw: RawRedis;

beforeAll(async () => {
  requireBinaries(["redis-server"]);
  server = await startRedis();
  store = new RedisInviteStore({ url: server.url, host: "example.org", timeoutMs: 1000, log: createLogger("silent") });
  store.connect();
  raw = rawRedisClient(server.url);
  raw.on("error", () => {});
  await raw.connect();
  await eventually(async () => store.findByToken("warm-up"));
});

afterAll(async () => {
  await store?.close();
  if (raw?.isOpen) raw.destroy();
  await server?.stop();
});

inviteStoreContract("RedisInviteStore", () => ({
  store,
  now: () => Math.floor(Date.now() / 1000),
  advance: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
}));

describe("the raw layout in Redis (docs/storage.md)", () => {
  const now = Math.floor(Date.now() / 1000);
  const invite: Invite = {
    type: "roster",
    jid: "alice@example.org",
    token: "RawLayoutToken_000000001",
    allow_registration: true,
    additional_data: { source: "alice@example.org/phone" },
    uri: "xmpp:alice@example.org?roster;preauth=RawLayoutToken_000000001;ibr=y",
    created_at: now,
    expires: now + 3600,
    reusable: false,
  };

  it("stores plain JSON in keyv's envelope under the documented keys, with a TTL", async () => {
    await store.save(invite);
    const host = JSON.parse((await raw.get("invite:example.org:token:RawLayoutToken_000000001")) ?? "null");
    expect(host).toEqual({ value: invite, expires: expect.any(Number) });
    expect(Math.abs(host.expires - invite.expires * 1000)).toBeLessThan(1000);
    const inviter = JSON.parse((await raw.get("invite:example.org:inviter:alice:RawLayoutToken_000000001")) ?? "null");
    expect(inviter).toEqual({ value: invite.expires, expires: expect.any(Number) });
    for (const key of [
      "invite:example.org:token:RawLayoutToken_000000001",
      "invite:example.org:inviter:alice:RawLayoutToken_000000001",
    ]) {
      const ttl = await raw.pTTL(key);
      expect(ttl).toBeGreaterThan(3_590_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
    }
  });

  it("reads an entry another writer (the Prosody module) stored in the same format", async () => {
    const written = { ...invite, token: "WrittenByProsody00000001", additional_data: { allow_reset: "bob" } };
    await raw.set(
      "invite:example.org:token:WrittenByProsody00000001",
      JSON.stringify({ value: written, expires: written.expires * 1000 }),
      { EX: 3600 },
    );
    expect(await store.findByToken("WrittenByProsody00000001")).toEqual(written);
  });

  it("writes nothing under keyv's default namespace or any other prefix", async () => {
    const keys = await raw.keys("*");
    expect(keys.every((key) => key.startsWith("invite:example.org:"))).toBe(true);
  });
});
