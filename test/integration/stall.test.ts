/**
 * A slow, hanging or dead Redis costs Prosody's other users nothing (issue 9 point 1).
 * Prosody reaches Redis through a proxy that can hang (test/helpers/redis-proxy.ts); a
 * hanging request is seen arriving at the proxy, and only then do other users ask
 * something of Prosody. With blocking I/O their answer came after the hanging request's
 * timeout; now it comes while that request still waits. The figures (ping p50/p95/max
 * under load) are measured by `npm run bench` (BENCH_PHASES=stall), not asserted here.
 */

import { type Element, xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { errorOf } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import { type IbrSession, openIbrSession } from "../helpers/ibr-client.js";
import { uniqueName } from "../helpers/names.js";
import { recordWith, writeRawRecord } from "../helpers/raw-records.js";
import type { RedisProxy } from "../helpers/redis-proxy.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";
import { subscribeWithInvite } from "../helpers/xmpp-user.js";

const UNAVAILABLE = {
  type: "wait",
  condition: "internal-server-error",
  specific: undefined,
  text: "Invites are unavailable at the moment (the invite store cannot be reached). Please try again in a few minutes.",
};
const INVALID = {
  type: "cancel",
  condition: "forbidden",
  specific: undefined,
  text: "The invite token is invalid or expired",
};
const TOO_MANY = {
  type: "wait",
  condition: "policy-violation",
  specific: undefined,
  text: "Too many invite checks from your address. Please wait a minute and try again.",
};
const TOO_MANY_IN_TOTAL = {
  ...TOO_MANY,
  text: "Too many invite checks at the moment. Please wait a minute and try again.",
};

/** Opens an unauthenticated stream to the scenario's Prosody, from `localAddress` if given. */
async function ibrSession(world: Scenario, localAddress?: string): Promise<IbrSession> {
  return openIbrSession({
    port: world.servers.prosody.port,
    domain: "localhost",
    ...(localAddress === undefined ? {} : { localAddress }),
  });
}

function serverPing(user: TestUser): Promise<Element> {
  return user.request(xml("iq", { type: "get", to: "localhost" }, xml("ping", { xmlns: "urn:xmpp:ping" })));
}

/** A promise with a flag telling whether it has settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const settledPromise = promise.finally(() => {
    done = true;
  });
  return { promise: settledPromise, settled: () => done };
}

/** Matches a command of Prosody's about the record of `token` (GET it, or a script given its key). */
function aboutRecordOf(token: string): (command: readonly string[]) => boolean {
  const key = recordKey("localhost", tokenHash(token));
  return (command) => command.includes(key);
}

function proxyOf(world: Scenario): RedisProxy {
  const proxy = world.servers.redisProxy;
  if (proxy === undefined) throw new Error("the scenario has no Redis proxy");
  return proxy;
}

describe("with Redis hanging", () => {
  let world: Scenario;
  let proxy: RedisProxy;
  let alice: TestUser;
  let bob: TestUser;
  const sessions: IbrSession[] = [];

  beforeAll(async () => {
    world = await startScenario({
      inviteModule: true,
      redisProxy: true,
      // No layout read in the middle of a count; the breaker fails fast for 3 s after a timeout.
      moduleConfig: ["invites_redis_layout_check_interval = 3600", "invites_redis_retry_after = 3"].join("\n"),
    });
    proxy = proxyOf(world);
    [alice, bob] = await world.loginAll(["alice@localhost", "bob@localhost"]);
  });

  afterAll(async () => {
    await Promise.allSettled(sessions.map((session) => session.close()));
    if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
    await world?.stop();
  });

  async function session(localAddress?: string): Promise<IbrSession> {
    const opened = await ibrSession(world, localAddress);
    sessions.push(opened);
    return opened;
  }

  /** Waits until the breaker lets requests through again and Redis answers them. */
  async function healthy(): Promise<void> {
    proxy.release();
    const token = await writeRawRecord(world.redis, recordWith());
    await eventually(async () => {
      const reply = await (await session()).preauth(token);
      if (reply.attrs.type !== "result") throw new Error(`not yet: ${reply.toString()}`);
    }, 15_000);
  }

  it("a preauth costs one lookup and nothing else (no PING); a malformed token costs none", async () => {
    const token = await writeRawRecord(world.redis, recordWith());
    const registrant = await session();
    const before = proxy.commands.length;
    expect((await registrant.preauth(token)).attrs.type).toBe("result");
    expect(proxy.commands.slice(before)).toEqual([["GET", recordKey("localhost", tokenHash(token))]]);

    const afterPreauth = proxy.commands.length;
    expect(errorOf(await registrant.preauth("not a token!"))).toEqual(INVALID);
    expect(errorOf(await registrant.preauth("x".repeat(4000)))).toEqual(INVALID);
    expect(proxy.commands.length).toBe(afterPreauth);

    expect((await registrant.register(uniqueName("one"), "pw-one")).attrs.type).toBe("result");
    expect(proxy.commands.slice(before).map(([name]) => name)).not.toContain("PING");
  });

  it("answers other users while a preauth waits for Redis, then refuses the preauth clearly", async () => {
    await healthy();
    const token = await writeRawRecord(world.redis, recordWith());
    const registrant = await session();
    proxy.hang();
    const seen = proxy.commands.length;
    const preauth = watched(registrant.preauth(token));
    await proxy.waitForCommand(aboutRecordOf(token), { after: seen }); // Prosody has asked Redis and is waiting
    await serverPing(alice);
    await bob.sendChat("alice@localhost", "still there?");
    await alice.nextMessage({ from: "bob@localhost", body: "still there?" });
    expect(preauth.settled()).toBe(false);
    expect(errorOf(await preauth.promise)).toEqual(UNAVAILABLE);
  });

  it("after one unanswered call, fails at once without reaching Redis, then lets one call find out", async () => {
    await healthy();
    const token = await writeRawRecord(world.redis, recordWith());
    proxy.hang();
    expect(errorOf(await (await session()).preauth(token))).toEqual(UNAVAILABLE); // the call that times out
    const afterTimeout = proxy.commands.length;

    const many = await Promise.all([1, 2, 3, 4, 5].map(() => session()));
    const replies = await Promise.all(many.map((s) => s.preauth(token)));
    for (const reply of replies) expect(errorOf(reply)).toEqual(UNAVAILABLE);
    expect(proxy.commands.length).toBe(afterTimeout); // none of them reached the proxy

    // After the retry period one call goes through (and hangs); the others still fail at once.
    const prober = await session();
    const probe = await eventually(async () => {
      const attempt = watched(prober.preauth(token));
      await Promise.race([proxy.waitForCommands(afterTimeout + 1, 200), attempt.promise]);
      if (proxy.commands.length === afterTimeout) throw new Error("still failing fast");
      return attempt;
    }, 10_000);
    const others = await Promise.all([1, 2, 3].map(async () => (await session()).preauth(token)));
    for (const reply of others) expect(errorOf(reply)).toEqual(UNAVAILABLE);
    // Only the probe reached Redis. (Whether it is still waiting by now depends on how long three new sessions
    // took against invites_redis_timeout, not on the breaker: that is not asserted.)
    expect(proxy.commands.length).toBe(afterTimeout + 1);
    expect(errorOf(await probe.promise)).toEqual(UNAVAILABLE);

    // Redis answers again: invites work again once the breaker has let a call through.
    await healthy();
    expect((await (await session()).preauth(token)).attrs.type).toBe("result");
  });

  it("answers other users while a registration waits for Redis", async () => {
    await healthy();
    const token = await writeRawRecord(world.redis, recordWith());
    const registrant = await session();
    expect((await registrant.preauth(token)).attrs.type).toBe("result");
    proxy.hang();
    const seen = proxy.commands.length;
    const registration = watched(registrant.register(uniqueName("waiting"), "pw-waiting"));
    await proxy.waitForCommand(aboutRecordOf(token), { after: seen });
    await serverPing(alice);
    expect(registration.settled()).toBe(false);
    const reply = await registration.promise;
    expect(reply.attrs.type).toBe("error");
    expect(errorOf(reply)).toMatchObject({ type: "wait", condition: "internal-server-error" });
  });

  it("answers other users while a XEP-0379 subscription waits for Redis, then asks as usual", async () => {
    await healthy();
    const token = await writeRawRecord(
      world.redis,
      recordWith({ type: "roster", jid: "alice@localhost", allow_registration: false }),
    );
    const carol = await world.login("admin@localhost");
    proxy.hang();
    const seen = proxy.commands.length;
    await subscribeWithInvite(bob, "alice@localhost", token);
    const asked = watched(alice.nextPresence({ from: "bob@localhost", type: "subscribe" }));
    await proxy.waitForCommand(aboutRecordOf(token), { after: seen });
    await serverPing(carol);
    expect(asked.settled()).toBe(false);
    await asked.promise; // the store could not say: alice is asked, as without an invite
    proxy.release();
  });
});

describe("rate limits for invite checks", () => {
  let world: Scenario;
  let proxy: RedisProxy;
  const sessions: IbrSession[] = [];

  beforeAll(async () => {
    world = await startScenario({
      inviteModule: true,
      redisProxy: true,
      moduleConfig: [
        "invites_redis_checks_per_minute = 3",
        "invites_redis_checks_per_second = 1000",
        'invites_redis_checks_exempt = { "127.0.0.4" }',
      ].join("\n"),
    });
    proxy = proxyOf(world);
  });

  afterAll(async () => {
    await Promise.allSettled(sessions.map((session) => session.close()));
    await world?.stop();
  });

  async function session(localAddress: string): Promise<IbrSession> {
    const opened = await ibrSession(world, localAddress);
    sessions.push(opened);
    return opened;
  }

  it("refuses the fourth check a minute from one address without asking Redis; other addresses go on", async () => {
    const flooder = await session("127.0.0.1");
    const unknown = "A".repeat(24); // well-formed, but no such invite
    for (let i = 0; i < 3; i++) expect(errorOf(await flooder.preauth(unknown))).toEqual(INVALID);
    const seen = proxy.commands.length;
    expect(errorOf(await flooder.preauth(unknown))).toEqual(TOO_MANY);
    // A new stream from the same address is the same address.
    expect(errorOf(await (await session("127.0.0.1")).preauth(unknown))).toEqual(TOO_MANY);
    expect(proxy.commands.length).toBe(seen);

    const token = await writeRawRecord(world.redis, recordWith());
    const neighbour = await session("127.0.0.2");
    expect((await neighbour.preauth(token)).attrs.type).toBe("result");
    expect((await neighbour.register(uniqueName("neighbour"), "pw-neighbour")).attrs.type).toBe("result");
  });

  it("counts registration attempts with an invite as checks too", async () => {
    const token = await writeRawRecord(world.redis, recordWith());
    const registrant = await session("127.0.0.3");
    expect((await registrant.preauth(token)).attrs.type).toBe("result"); // 1
    for (let i = 0; i < 2; i++) {
      expect(errorOf(await registrant.register("alice", "pw-taken")).condition).toBe("conflict"); // 2, 3
    }
    expect(errorOf(await registrant.register("alice", "pw-taken"))).toMatchObject({
      type: "wait",
      condition: "policy-violation",
    });
  });

  it("has no per-address limit for an exempt address (the bot's, for its web pages)", async () => {
    const bot = await session("127.0.0.4");
    const unknown = "C".repeat(24);
    for (let i = 0; i < 6; i++) expect(errorOf(await bot.preauth(unknown))).toEqual(INVALID);
  });

  it("limits all clients together", async () => {
    const together = await startScenario({
      inviteModule: true,
      moduleConfig: ["invites_redis_checks_per_minute = 1000", "invites_redis_checks_per_second = 4"].join("\n"),
    });
    try {
      const opened = await Promise.all([10, 11, 12, 13, 14, 15].map((n) => ibrSession(together, `127.0.0.${n}`)));
      sessions.push(...opened);
      const unknown = "B".repeat(24);
      const replies = await Promise.all(opened.map((s) => s.preauth(unknown)));
      const refused = replies.map(errorOf).filter((error) => error.condition === "policy-violation");
      // The bucket holds 4 and refills 4 a second: all six arrive within far less than 250 ms.
      expect(refused).toEqual([TOO_MANY_IN_TOTAL, TOO_MANY_IN_TOTAL]);
      expect(replies.filter((reply) => errorOf(reply).condition === "forbidden")).toHaveLength(4);
    } finally {
      await together.stop();
    }
  });
});
