/**
 * The leader's side of the lease (src/app/leadership.ts) on a fake clock: who leads, when a leader steps down on its
 * own clock, and that two instances never lead at once.
 */
import { describe, expect, it } from "vitest";
import {
  LEASE_TTL_MS,
  type LeaderRole,
  Leadership,
  type LeaseTimers,
  RENEW_EVERY_MS,
  STEP_DOWN_MARGIN_MS,
} from "../../../src/app/leadership.js";
import { Events } from "../../../src/events.js";
import type { LeaderLease } from "../../../src/invites/leadership.js";
import { StoreUnavailableError } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import { MemoryLeaderLease } from "../../../src/storage/memory-leader.js";

/** A clock and timers that move only when told, running what falls due in order. */
class FakeTimers implements LeaseTimers {
  #now = 0;
  #due: { at: number; run: () => void; id: number }[] = [];
  #ids = 0;
  now = () => this.#now;
  after = (ms: number, run: () => void) => {
    const id = ++this.#ids;
    this.#due.push({ at: this.#now + ms, run, id });
    return () => {
      this.#due = this.#due.filter((each) => each.id !== id);
    };
  };
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      const next = this.#due.filter((each) => each.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (next === undefined) break;
      this.#due = this.#due.filter((each) => each !== next);
      this.#now = next.at;
      next.run();
    }
    this.#now = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A lease whose store can be taken away: calls then fail, or hang until it is back. */
class Unreliable implements LeaderLease {
  mode: "up" | "down" | "hung" = "up";
  #parked: (() => void)[] = [];
  constructor(private readonly inner: LeaderLease) {}
  async #call<T>(run: () => Promise<T>): Promise<T> {
    if (this.mode === "down") throw new StoreUnavailableError("Redis is not connected");
    if (this.mode === "hung") await new Promise<void>((resolve) => this.#parked.push(resolve));
    return run();
  }
  /** Back up; the hung calls now reach the store. */
  up(): void {
    this.mode = "up";
    for (const resume of this.#parked.splice(0)) resume();
  }
  acquire: LeaderLease["acquire"] = (holder, ttl) => this.#call(() => this.inner.acquire(holder, ttl));
  renew: LeaderLease["renew"] = (holder, lease, ttl) => this.#call(() => this.inner.renew(holder, lease, ttl));
  release: LeaderLease["release"] = (holder, lease) => this.#call(() => this.inner.release(holder, lease));
}

function world() {
  const timers = new FakeTimers();
  const store = new MemoryLeaderLease(timers.now);
  const log = createLogger("silent");
  const instance = (holder: string, lease: LeaderLease = store) => {
    const roles: LeaderRole[] = [];
    const events = new Events<{ "leadership-changed": { role: LeaderRole; holder: string; epoch?: number } }>();
    const changes: { role: LeaderRole; epoch?: number }[] = [];
    events.on("leadership-changed", ({ role, epoch }) =>
      changes.push({ role, ...(epoch === undefined ? {} : { epoch }) }),
    );
    const leadership = new Leadership({ lease, holder, log, events, timers, onRole: (role) => roles.push(role) });
    return { leadership, roles, changes };
  };
  return { timers, store, instance };
}

describe("leadership", () => {
  it("without a lease in the store, the only instance leads while online", async () => {
    const roles: LeaderRole[] = [];
    const alone = new Leadership({
      lease: undefined,
      holder: "a",
      log: createLogger("silent"),
      onRole: (r) => roles.push(r),
    });
    expect(alone.role).toBe("follower");
    alone.campaign();
    expect(alone.role).toBe("leader");
    await alone.resign();
    alone.campaign();
    expect(roles).toEqual(["leader", "follower", "leader"]);
  });

  it("one of two instances leads, with the lease's epoch, and keeps leading while it renews", async () => {
    const { timers, instance } = world();
    const a = instance("a");
    const b = instance("b");
    a.leadership.campaign();
    b.leadership.campaign();
    await timers.advance(0);
    expect([a.leadership.role, b.leadership.role]).toEqual(["leader", "follower"]);
    expect(a.changes).toEqual([{ role: "leader", epoch: 1 }]);
    await timers.advance(10 * LEASE_TTL_MS);
    expect([a.leadership.role, b.leadership.role]).toEqual(["leader", "follower"]);
    expect(b.roles).toEqual([]);
  });

  it("when the leader vanishes, another leads once its lease ran out, within TTL + one try", async () => {
    const { timers, store, instance } = world();
    // A SIGKILLed instance: none of its calls reaches the store any more.
    const killed = new Unreliable(store);
    const a = instance("a", killed);
    const b = instance("b");
    a.leadership.campaign();
    await timers.advance(0);
    b.leadership.campaign();
    await timers.advance(RENEW_EVERY_MS);
    expect(b.leadership.role).toBe("follower");
    killed.mode = "hung";
    const lastRenewal = timers.now();
    let tookOverAt: number | undefined;
    for (let t = 0; t < LEASE_TTL_MS + 2 * RENEW_EVERY_MS; t += 100) {
      await timers.advance(100);
      if (tookOverAt === undefined && b.leadership.role === "leader") tookOverAt = timers.now();
    }
    expect(b.changes).toEqual([{ role: "leader", epoch: 2 }]);
    expect((tookOverAt ?? Infinity) - lastRenewal).toBeLessThanOrEqual(LEASE_TTL_MS + RENEW_EVERY_MS);
  });

  it("a leader that cannot reach the store steps down before its lease runs out there, so two never lead", async () => {
    const { timers, store, instance } = world();
    const reachable = new Unreliable(store);
    const a = instance("a", reachable);
    const b = instance("b");
    a.leadership.campaign();
    b.leadership.campaign();
    await timers.advance(0);
    expect(a.leadership.role).toBe("leader");
    const renewedAt = timers.now();
    reachable.mode = "down";
    // Step by step: at no moment do both lead.
    let bothLed = false;
    let aStoppedAt: number | undefined;
    for (let t = 0; t < 3 * LEASE_TTL_MS; t += 100) {
      await timers.advance(100);
      if (a.leadership.role === "leader" && b.leadership.role === "leader") bothLed = true;
      if (aStoppedAt === undefined && a.leadership.role === "follower") aStoppedAt = timers.now();
    }
    expect(bothLed).toBe(false);
    expect(aStoppedAt).toBeDefined();
    expect((aStoppedAt ?? 0) - renewedAt).toBeLessThanOrEqual(LEASE_TTL_MS - STEP_DOWN_MARGIN_MS);
    expect(b.leadership.role).toBe("leader");
    // Back, a finds the lease taken and follows.
    reachable.up();
    await timers.advance(3 * RENEW_EVERY_MS);
    expect([a.leadership.role, b.leadership.role]).toEqual(["follower", "leader"]);
  });

  it("a renewal answered after the lease would have run out does not make it lead again", async () => {
    const { timers, store, instance } = world();
    const reachable = new Unreliable(store);
    const a = instance("a", reachable);
    a.leadership.campaign();
    await timers.advance(0);
    reachable.mode = "hung";
    await timers.advance(LEASE_TTL_MS);
    expect(a.leadership.role).toBe("follower");
    reachable.up();
    await timers.advance(0);
    expect(a.roles).toEqual(["leader", "follower"]);
    // Its next try takes the lease anew (its own name is in it), with a greater epoch.
    await timers.advance(RENEW_EVERY_MS);
    expect(a.leadership.role).toBe("leader");
    expect(a.changes.map((change) => change.epoch)).toEqual([1, undefined, 2]);
  });

  it("resigning gives the lease up at once, so another leads at its next try", async () => {
    const { timers, instance } = world();
    const a = instance("a");
    const b = instance("b");
    a.leadership.campaign();
    await timers.advance(0);
    b.leadership.campaign();
    await timers.advance(0);
    await a.leadership.resign();
    expect(a.leadership.role).toBe("follower");
    await timers.advance(RENEW_EVERY_MS);
    expect(b.leadership.role).toBe("leader");
    await timers.advance(10 * LEASE_TTL_MS);
    expect(a.roles).toEqual(["leader", "follower"]);
  });
});
