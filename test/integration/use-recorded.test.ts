/**
 * Every use of an invite is recorded exactly once, whatever the client does after its registration and whether
 * Redis answers the record at once (issue 20, point 2; docs/storage.md, "Use events"). mod_register_ibr answers the
 * registration before it fires `user-registered`, and mod_invites_register's handler of that event waits for Redis
 * before ours runs; an app that hangs up on the answer (many do, to log in anew) has its session destroyed in
 * between, emptied of the invite it registered with. Prosody reaches Redis through a proxy
 * (test/helpers/redis-proxy.ts) that holds Redis's answers across the hang-up, so that it happens every time, or
 * that drops or holds the record itself.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inviteId } from "../../src/invites/pending.js";
import { eventsKey, invitedByKey, inviteesKey, recordKey, unsettledKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { errorOf } from "../helpers/adhoc-client.js";
import { eventually } from "../helpers/bot.js";
import { type IbrSession, openIbrSession } from "../helpers/ibr-client.js";
import { invitesAnswer } from "../helpers/invites-healthy.js";
import { uniqueName } from "../helpers/names.js";
import { clientSessions } from "../helpers/prosody-shell.js";
import { recordWith, writeRawRecord } from "../helpers/raw-records.js";
import type { RedisProxy } from "../helpers/redis-proxy.js";
import { type Scenario, startProxiedScenario } from "../helpers/scenario.js";
import { runs, sharedScript } from "../helpers/shared-scripts.js";
import { subscribeWithInvite } from "../helpers/xmpp-user.js";

const CLAIM = sharedScript("claim.lua");
const SETTLE = sharedScript("settle.lua");

const INVITER = "alice@localhost";

let world: Scenario;
let proxy: RedisProxy;

beforeAll(async () => {
  // No layout read in the middle of a registration; a timeout far above the time the proxy holds an answer across
  // a hang-up (a few milliseconds), so that only the hang-up is tested there, not a Redis timeout; and the sweep of
  // unsettled uses every second (60 s by default), for the restarts below. It runs beside every other test here
  // too, and must leave the uses this Prosody still settles itself alone.
  ({ world, proxy } = await startProxiedScenario(
    "invites_redis_layout_check_interval = 3600\ninvites_redis_timeout = 2\ninvites_redis_settle_after = 1",
  ));
  // Redis knows the record script from the start, so that a record held and sent late runs (no NOSCRIPT).
  expect(await world.redis.scriptLoad(SETTLE.source)).toBe(SETTLE.sha);
});

// Several tests drop Prosody's connection to Redis, which makes it fail fast for a moment: each starts after that.
beforeEach(() => invitesAnswer(world));

afterAll(async () => {
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(100_000));
  await world?.stop();
});

/** A single-use account invite that `INVITER` asked for, as the bot writes it. */
function inviteFromAlice(): Promise<string> {
  return writeRawRecord(world.redis, recordWith({ additional_data: { source: `${INVITER}/web` } }));
}

async function usesRecorded(token: string): Promise<number> {
  const entries = await world.redis.xRange(eventsKey("localhost"), "-", "+");
  return entries.filter((entry) => entry.message.invite === inviteId(token)).length;
}

/** What who-invited-whom says of `invitee`: its inviter, and whether the inviter's invitees name it. */
async function invitedBy(invitee: string): Promise<{ inviter: string | null; listed: boolean }> {
  return {
    inviter: await world.redis.get(invitedByKey("localhost", invitee)),
    listed: (await world.redis.sIsMember(inviteesKey("localhost", INVITER), invitee)) === 1,
  };
}

function prosodyLog(): string {
  return world.servers.prosody.logTail(10_000_000);
}

/** Resolves once Prosody holds fewer client sessions than it does now (its admin shell counts them). */
async function disconnects(): Promise<() => Promise<void>> {
  const before = await clientSessions(world.servers.prosody);
  return () => eventually(async () => expect(await clientSessions(world.servers.prosody)).toBeLessThan(before));
}

/** A session that has sent its preauth with `token`, accepted. */
async function preauthorized(token: string): Promise<IbrSession> {
  const session = await openIbrSession({ port: world.servers.prosody.port, domain: "localhost" });
  expect((await session.preauth(token)).attrs.type).toBe("result");
  return session;
}

/** Whether `name@localhost` exists: registering it again, with an invite of its own, is refused as taken. */
async function exists(name: string): Promise<boolean> {
  const again = await world.registerWithInvite(await inviteFromAlice(), name);
  return errorOf(again.register)?.condition === "conflict";
}

describe("a client that hangs up as soon as its registration succeeds", () => {
  it("has its use recorded once, and who invited whom, although its session is gone before the record", async () => {
    const token = await inviteFromAlice();
    const name = uniqueName("hangup");
    const invitee = `${name}@localhost`;
    // From the first command after the claim on (mod_invites_register removing the invite, in `user-registered`),
    // Redis's answers wait: the hang-up is sure to come while that handler waits, before ours runs.
    let claimed = false;
    const held = proxy.holdRepliesAfter((command) => {
      if (runs(CLAIM, command)) claimed = true;
      else if (claimed) return true;
      return false;
    });
    const session = await preauthorized(token);
    const destroyed = await disconnects();

    const answer = await session.register(name, `${name}-pw`);
    session.abort();
    expect(answer.attrs.type).toBe("result");
    await held;
    await destroyed();
    proxy.release();

    await eventually(async () => expect(await usesRecorded(token)).toBe(1));
    expect(await invitedBy(invitee)).toEqual({ inviter: INVITER, listed: true });
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
    // Nothing waits to record it a second time.
    expect(prosodyLog()).not.toContain(`The use of invite ${inviteId(token)} is recorded as soon as`);
    expect(await usesRecorded(token)).toBe(1);
  }, 60_000);

  it("that closes its stream properly has its use recorded once too", async () => {
    const token = await inviteFromAlice();
    const name = uniqueName("graceful");
    expect((await world.registerWithInvite(token, name)).register.attrs.type).toBe("result");
    await eventually(async () => expect(await usesRecorded(token)).toBe(1));
    expect(await invitedBy(`${name}@localhost`)).toEqual({ inviter: INVITER, listed: true });
  }, 60_000);
});

describe("a client that keeps its stream open after registering", () => {
  it("has its use recorded once while the stream is still open", async () => {
    const token = await inviteFromAlice();
    const name = uniqueName("stays");
    const session = await preauthorized(token);
    try {
      expect((await session.register(name, `${name}-pw`)).attrs.type).toBe("result");
      await eventually(async () => expect(await usesRecorded(token)).toBe(1));
      expect(await invitedBy(`${name}@localhost`)).toEqual({ inviter: INVITER, listed: true });
      expect(await unsettledOf(token)).toEqual([]);
    } finally {
      await session.close();
    }
    expect(await usesRecorded(token)).toBe(1);
  }, 60_000);
});

describe("a client that hangs up while its claim is on the way to Redis", () => {
  it("gets its account all the same, and the use is recorded once", async () => {
    const token = await inviteFromAlice();
    const name = uniqueName("early");
    const held = proxy.holdRepliesAfter((command) => runs(CLAIM, command));
    const session = await preauthorized(token);
    const destroyed = await disconnects();
    const answer = session.register(name, `${name}-pw`).catch((error: unknown) => error);
    await held;
    session.abort();
    await destroyed();
    proxy.release();

    expect(await answer).toBeInstanceOf(Error); // the client left before the answer
    await eventually(async () => expect(await usesRecorded(token)).toBe(1));
    expect(await invitedBy(`${name}@localhost`)).toEqual({ inviter: INVITER, listed: true });
    expect(await exists(name)).toBe(true);
  }, 60_000);

  it("gets its use back when the account cannot be made (a name too long for a file name)", async () => {
    const token = await inviteFromAlice();
    const held = proxy.holdRepliesAfter((command) => runs(CLAIM, command));
    const session = await preauthorized(token);
    const destroyed = await disconnects();
    const answer = session.register("a".repeat(251), "long-pw").catch((error: unknown) => error);
    await held;
    session.abort();
    await destroyed();
    proxy.release();

    expect(await answer).toBeInstanceOf(Error);
    // The claim took the single-use record away; the give-back writes it back.
    await eventually(async () => expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1));
    expect(prosodyLog()).toContain(`Gave back the use of invite ${inviteId(token)}`);
    expect(await usesRecorded(token)).toBe(0);
    // The invite works again, once.
    const name = uniqueName("after");
    expect((await world.registerWithInvite(token, name)).register.attrs.type).toBe("result");
    await eventually(async () => expect(await usesRecorded(token)).toBe(1));
  }, 60_000);
});

describe("a use whose record Redis does not answer", () => {
  it("is recorded once when the connection drops after the record ran (the retry writes nothing)", async () => {
    const token = await inviteFromAlice();
    const name = uniqueName("dropped");
    const held = proxy.holdRepliesAfter((command) => runs(SETTLE, command));
    const registration = world.registerWithInvite(token, name);
    await held;
    proxy.dropConnections();
    expect((await registration).register.attrs.type).toBe("result");

    // Its entry is gone with the one record: no retry can write another.
    await eventually(async () => {
      expect(await usesRecorded(token)).toBe(1);
      expect(await unsettledOf(token)).toEqual([]);
    }, 15_000);
    expect(await invitedBy(`${name}@localhost`)).toEqual({ inviter: INVITER, listed: true });
  }, 60_000);

  it("is recorded as soon as Redis answers again, and a late copy of the first try adds nothing", async () => {
    const token = await inviteFromAlice();
    const name = uniqueName("away");
    const held = proxy.holdCommandsFrom((command) => runs(SETTLE, command));
    const registration = world.registerWithInvite(token, name);
    await held;
    expect((await registration).register.attrs.type).toBe("result");
    expect(await usesRecorded(token)).toBe(0);

    // Prosody gives the held try up at its timeout, and tries again once Redis answers (on a new connection).
    await eventually(async () => expect(await usesRecorded(token)).toBe(1), 15_000);
    expect(await invitedBy(`${name}@localhost`)).toEqual({ inviter: INVITER, listed: true });
    // Now the first try reaches Redis, on the connection Prosody gave up on: its marker says it is written already.
    proxy.release();
    await proxy.drained();
    expect(await usesRecorded(token)).toBe(1);
  }, 60_000);
});

/** The claim ids of the uses claimed and not settled yet whose event names `invite`. */
async function unsettledOf(token: string): Promise<string[]> {
  const entries = await world.redis.hGetAll(unsettledKey("localhost"));
  return Object.entries(entries)
    .filter(([, text]) => (JSON.parse(text) as { event?: { invite?: string } }).event?.invite === inviteId(token))
    .map(([claimId]) => claimId);
}

/** Stops Prosody as `how` says, with whatever it was sending to Redis dropped on the way, and starts it again. */
async function restartProsody(how: "SIGTERM" | "SIGKILL"): Promise<void> {
  const prosody = world.servers.prosody;
  if (how === "SIGKILL" && prosody.pid !== undefined) process.kill(prosody.pid, "SIGKILL");
  await prosody.halt();
  proxy.dropConnections();
  await prosody.start();
}

describe.each(["SIGTERM", "SIGKILL"] as const)("Prosody stopped (%s) right after a registration", (how) => {
  it("before the use was recorded: the next run records it, once", async () => {
    const token = await inviteFromAlice();
    const name = uniqueName("restart");
    const held = proxy.holdCommandsFrom((command) => runs(SETTLE, command));
    const registration = world.registerWithInvite(token, name);
    await held;
    expect((await registration).register.attrs.type).toBe("result");
    expect(await unsettledOf(token)).toHaveLength(1);

    await restartProsody(how);
    expect(await usesRecorded(token)).toBe(0);

    await eventually(async () => expect(await usesRecorded(token)).toBe(1), 20_000);
    expect(await invitedBy(`${name}@localhost`)).toEqual({ inviter: INVITER, listed: true });
    // Nothing is left to record it again: its entry went with the record, in one script.
    expect(await unsettledOf(token)).toEqual([]);
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
  }, 60_000);

  it("between the claim and the account: the next run gives the use back, and records nothing", async () => {
    const token = await inviteFromAlice();
    const name = uniqueName("unmade");
    const held = proxy.holdRepliesAfter((command) => runs(CLAIM, command));
    const registration = world.registerWithInvite(token, name).catch((error: unknown) => error);
    await held;
    // The claim ran in Redis: the use is taken, and its entry written with it.
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
    expect(await unsettledOf(token)).toHaveLength(1);

    await restartProsody(how);
    expect(await registration).toBeInstanceOf(Error);

    await eventually(
      async () => expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(1),
      20_000,
    );
    expect(await unsettledOf(token)).toEqual([]);
    expect(await usesRecorded(token)).toBe(0);
    expect(await exists(name)).toBe(false);
  }, 60_000);
});

describe("a XEP-0379 subscription approved right before Prosody stopped", () => {
  it("is recorded once by the next run", async () => {
    const [bob] = await world.loginAll(["bob@localhost"]);
    const token = await writeRawRecord(
      world.redis,
      recordWith({ type: "roster", jid: "alice@localhost", allow_registration: false }),
    );
    const held = proxy.holdCommandsFrom((command) => runs(SETTLE, command));
    await subscribeWithInvite(bob, "alice@localhost", token);
    await held;
    // Approved: alice's side asks bob back (mutual contacts) once her roster has him, before the record goes out.
    await bob.nextPresence({ from: "alice@localhost", type: "subscribe" });
    expect(await unsettledOf(token)).toHaveLength(1);

    await restartProsody("SIGKILL");

    await eventually(async () => expect(await usesRecorded(token)).toBe(1), 20_000);
    expect(await unsettledOf(token)).toEqual([]);
    const [event] = (await world.redis.xRange(eventsKey("localhost"), "-", "+")).filter(
      (entry) => entry.message.invite === inviteId(token),
    );
    expect(event?.message).toMatchObject({ kind: "subscribed", inviter: "alice@localhost", invitee: "bob@localhost" });
  }, 60_000);
});
