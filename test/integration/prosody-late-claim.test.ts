/**
 * A claim of Prosody's module whose answer comes late, or never, is checked and given back (issue 19;
 * docs/storage.md, "Counted uses"). Each claim of the module writes a marker (`invite:{HOST}:claim:ID`) with its use;
 * when the answer misses `invites_redis_timeout` or the connection drops, the client hears "unavailable" and the
 * module gives the use back with that marker as soon as Redis answers: exactly once when the claim took a use,
 * nothing when it had not reached Redis, nor when it reaches Redis only after the give-back. Prosody reaches Redis
 * through a proxy (test/helpers/redis-proxy.ts) that holds the claim's answer, drops the connection after
 * forwarding the claim, or holds the claim itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import { eventsKey, idsKey, pendingKey, recordKey, usedKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { errorOf } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import { invitesAnswer } from "../helpers/invites-healthy.js";
import { uniqueName } from "../helpers/names.js";
import { prosodyMajorVersion } from "../helpers/prosody-server.js";
import { recordWith, writeRawRecord } from "../helpers/raw-records.js";
import type { RedisProxy } from "../helpers/redis-proxy.js";
import { type Scenario, startProxiedScenario } from "../helpers/scenario.js";
import { runs, sharedScript } from "../helpers/shared-scripts.js";
import { subscribeWithInvite, type TestUser } from "../helpers/xmpp-user.js";

const UNAVAILABLE = {
  type: "wait",
  condition: "internal-server-error",
  specific: undefined,
  text: "Invites are unavailable at the moment (the invite store cannot be reached). Please try again in a few minutes.",
};

const CLAIM = sharedScript("claim.lua");

/** The module's claim script (EVALSHA, or EVAL after NOSCRIPT), and nothing else it sends. */
function isClaim(command: readonly string[]): boolean {
  return runs(CLAIM, command);
}

let world: Scenario;
let proxy: RedisProxy;

beforeAll(async () => {
  // No layout read in the middle of a registration: the claim is the command after the record's GET.
  ({ world, proxy } = await startProxiedScenario("invites_redis_layout_check_interval = 3600"));
  // Redis knows the claim script from the start, so that a claim held and sent late runs (no NOSCRIPT).
  expect(await world.redis.scriptLoad(CLAIM.source)).toBe(CLAIM.sha);
});

afterAll(async () => {
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await world?.stop();
});

/** A counted reusable invite (max_uses `max`), written as the bot writes it. */
function countedInvite(max: number): Promise<string> {
  return writeRawRecord(
    world.redis,
    recordWith({ reusable: true, additional_data: { source: "admin@localhost/web", max_uses: max } }),
  );
}

async function usedOf(token: string): Promise<string | null> {
  return world.redis.get(usedKey("localhost", tokenHash(token)));
}

/** The record, `pending` and `ids` entries of an invite that are in Redis. */
async function keysOf(token: string): Promise<string[]> {
  const hash = tokenHash(token);
  const found: string[] = [];
  if ((await world.redis.exists(recordKey("localhost", hash))) === 1) found.push("rec");
  for (const key of [pendingKey("localhost"), idsKey("localhost")]) {
    if ((await world.redis.zScore(key, hash)) !== null) found.push(key);
  }
  return found;
}

/** Claim markers in Redis: key → value; not the markers of written use events ("recorded", docs/storage.md). */
async function markers(): Promise<Record<string, string | null>> {
  const found: Record<string, string | null> = {};
  for (const key of await world.redis.keys("invite:{localhost}:claim:*")) {
    const value = await world.redis.get(key);
    if (value !== "recorded") found[key] = value;
  }
  return found;
}

async function usesRecorded(token: string): Promise<number> {
  const entries = await world.redis.xRange(eventsKey("localhost"), "-", "+");
  return entries.filter((entry) => entry.message.invite === inviteId(token)).length;
}

async function registers(token: string, name = uniqueName("user")): Promise<boolean> {
  return (await world.registerWithInvite(token, name)).register.attrs.type === "result";
}

/** Registers with `token` until it is refused; resolves with the number of accounts made. */
async function accountsUntilRefused(token: string): Promise<number> {
  for (let made = 0; ; made++) {
    const attempt = await world.registerWithInvite(token, uniqueName("rest"));
    if (attempt.register.attrs.type !== "result") {
      // Used up: refused at the preauth step, as any used invite.
      expect(errorOf(attempt.preauth)).toMatchObject({ condition: "forbidden" });
      return made;
    }
  }
}

/** Waits until Prosody's breaker lets calls through again and Redis answers them. */
function healthy(): Promise<void> {
  return invitesAnswer(world);
}

/** The first line of Prosody's log that contains `text`, if any. */
function logLine(text: string): string | undefined {
  return world.servers.prosody
    .logTail(1_000_000)
    .split("\n")
    .find((line) => line.includes(text));
}

describe("a registration whose claim gets no answer in time", () => {
  it("hears 'unavailable'; once Redis answers, the use goes back exactly once (a counted invite)", async () => {
    await healthy();
    const markersBefore = await markers();
    const token = await countedInvite(3);
    expect(await registers(token)).toBe(true);
    expect(await usedOf(token)).toBe("1");

    const held = proxy.holdRepliesAfter(isClaim);
    const late = await world.registerWithInvite(token, uniqueName("late"));
    await held;
    expect(late.preauth.attrs.type).toBe("result");
    expect(errorOf(late.register)).toEqual(UNAVAILABLE);
    // Prosody ended that connection at its timeout, so the held answer never reaches it; Redis answers the
    // give-back on a new one.
    proxy.release();

    // The claim ran in Redis (its answer was held past invites_redis_timeout): its use goes back, once.
    await eventually(async () => expect(await usedOf(token)).toBe("1"), 15_000);
    expect(logLine(`Gave back the use of invite ${inviteId(token)}`)).toBeDefined();
    expect(await markers()).toEqual(markersBefore);
    expect(await accountsUntilRefused(token)).toBe(2);
    expect(await usesRecorded(token)).toBe(3);
    // The uses that stand leave no marker: each is deleted once the account exists.
    await eventually(async () => expect(await markers()).toEqual(markersBefore));
  }, 60_000);

  it("when the connection drops after the claim was forwarded: a single-use invite registers once afterwards", async () => {
    await healthy();
    const markersBefore = await markers();
    const token = await writeRawRecord(world.redis, recordWith());
    const before = await keysOf(token);

    const held = proxy.holdRepliesAfter(isClaim);
    const dropped = world.registerWithInvite(token, uniqueName("dropped"));
    await held;
    proxy.dropConnections();
    const answer = await dropped;
    expect(errorOf(answer.register)).toEqual(UNAVAILABLE);
    // Prosody 0.12's event loop gives no reason for a connection the peer closed; 13's gives "closed".
    const closed = prosodyMajorVersion() >= 13 ? "connection closed: closed" : "connection closed";
    expect(logLine(`Refusing a registration: Redis is unreachable (${closed})`)).toBeDefined();

    await eventually(async () => expect(await keysOf(token)).toEqual(before), 15_000);
    expect(logLine(`Gave back the use of invite ${inviteId(token)}`)).toBeDefined();
    expect(await markers()).toEqual(markersBefore);
    expect(await accountsUntilRefused(token)).toBe(1);
    expect(await usesRecorded(token)).toBe(1);
    await eventually(async () => expect(await markers()).toEqual(markersBefore));
  }, 60_000);

  it("gives nothing back for a claim that had not reached Redis, even when it arrives after the give-back", async () => {
    await healthy();
    const markersBefore = await markers();
    const token = await countedInvite(2);

    const held = proxy.holdCommandsFrom(isClaim);
    const lost = await world.registerWithInvite(token, uniqueName("lost"));
    await held;
    expect(errorOf(lost.register)).toEqual(UNAVAILABLE);

    // The give-back finds no marker: nothing goes back, and the marker's place is taken ("given back").
    const addedMarkers = async () => {
      const after = await markers();
      return Object.keys(after)
        .filter((key) => !(key in markersBefore))
        .map((key) => after[key]);
    };
    await eventually(async () => expect(await addedMarkers()).toEqual(["given back"]), 15_000);
    expect(logLine(`Nothing to give back for invite ${inviteId(token)}`)).toBeDefined();
    const after = await markers();
    // Now the claim reaches Redis, on the connection Prosody gave up on: it takes nothing.
    proxy.release();
    await proxy.drained();
    expect(await usedOf(token)).toBeNull();
    expect(await markers()).toEqual(after);
    expect(await accountsUntilRefused(token)).toBe(2);
  }, 60_000);
});

describe("a XEP-0379 subscription whose claim gets no answer in time", () => {
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    [alice, bob, admin] = await world.loginAll(["alice@localhost", "bob@localhost", "admin@localhost"]);
  });

  it("is asked for as usual, and the contact invite pre-approves the next subscriber, once", async () => {
    await healthy();
    const markersBefore = await markers();
    const token = await writeRawRecord(
      world.redis,
      recordWith({ type: "roster", jid: "alice@localhost", allow_registration: false }),
    );
    const held = proxy.holdRepliesAfter(isClaim);
    await subscribeWithInvite(bob, "alice@localhost", token);
    await held;
    await alice.nextPresence({ from: "bob@localhost", type: "subscribe" });
    proxy.release();

    await eventually(
      async () => expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1),
      15_000,
    );
    expect(logLine(`Gave back the use of invite ${inviteId(token)}`)).toBeDefined();
    await subscribeWithInvite(admin, "alice@localhost", token);
    await admin.nextPresence({ from: "alice@localhost", type: "subscribed" });
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
    await eventually(async () => expect(await markers()).toEqual(markersBefore));
    expect(await usesRecorded(token)).toBe(1);
  }, 60_000);
});
