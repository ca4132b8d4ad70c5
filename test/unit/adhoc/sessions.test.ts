import { describe, expect, it } from "vitest";
import { AdhocSessions } from "../../../src/adhoc/sessions.js";

const ALICE = "alice@example.org/phone";
const BOB = "bob@example.org/laptop";

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe("AdhocSessions", () => {
  it("opens a session that can be found by its owner on its node", () => {
    const time = clock();
    const sessions = new AdhocSessions({}, time.now);
    const id = sessions.open(ALICE, "create-account", { stage: 1 });
    expect(sessions.find(id, ALICE, "create-account")).toEqual({
      node: "create-account",
      owner: ALICE,
      state: { stage: 1 },
      expiresAt: 1_000_000 + 10 * 60_000,
    });
  });

  it("gives each session a new random id unless one is given", () => {
    const sessions = new AdhocSessions();
    const first = sessions.open(ALICE, "n", undefined);
    const second = sessions.open(ALICE, "n", undefined);
    expect(first).toMatch(/^[\w-]{12}$/u);
    expect(second).not.toBe(first);
    expect(sessions.open(ALICE, "n", undefined, "chosen")).toBe("chosen");
    expect(sessions.find("chosen", ALICE, "n")).toBeDefined();
  });

  it("refuses a session to another full JID, even of the same account", () => {
    const sessions = new AdhocSessions();
    const id = sessions.open(ALICE, "n", "s");
    expect(sessions.find(id, BOB, "n")).toBeUndefined();
    expect(sessions.find(id, "alice@example.org/laptop", "n")).toBeUndefined();
    expect(sessions.find(id, "alice@example.org", "n")).toBeUndefined();
    expect(sessions.find(id, ALICE, "n")?.state).toBe("s");
  });

  it("refuses a session on another node", () => {
    const sessions = new AdhocSessions();
    const id = sessions.open(ALICE, "create-account", "s");
    expect(sessions.find(id, ALICE, "invite")).toBeUndefined();
    expect(sessions.find(id, ALICE, "create-account")).toBeDefined();
  });

  it("finds nothing for an unknown id", () => {
    expect(new AdhocSessions().find("nope", ALICE, "n")).toBeUndefined();
  });

  it("forgets a closed session, and closing twice or an unknown id is harmless", () => {
    const sessions = new AdhocSessions();
    const id = sessions.open(ALICE, "n", "s");
    sessions.close(id);
    expect(sessions.find(id, ALICE, "n")).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(() => {
      sessions.close(id);
      sessions.close("never-opened");
    }).not.toThrow();
  });

  it("expires a session after the idle time, not before", () => {
    const time = clock();
    const sessions = new AdhocSessions({ idleMs: 1_000 }, time.now);
    const id = sessions.open(ALICE, "n", "s");
    time.advance(999);
    expect(sessions.find(id, ALICE, "n")).toBeDefined();
    time.advance(1);
    expect(sessions.find(id, ALICE, "n")).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it("idles out after ten minutes by default", () => {
    const time = clock();
    const sessions = new AdhocSessions({}, time.now);
    const id = sessions.open(ALICE, "n", "s");
    time.advance(10 * 60_000 - 1);
    expect(sessions.find(id, ALICE, "n")).toBeDefined();
    time.advance(1);
    expect(sessions.find(id, ALICE, "n")).toBeUndefined();
  });

  it("restarts the idle time when a session is opened again under its id", () => {
    const time = clock();
    const sessions = new AdhocSessions({ idleMs: 1_000 }, time.now);
    const id = sessions.open(ALICE, "n", "stage 1");
    time.advance(800);
    sessions.open(ALICE, "n", "stage 2", id);
    time.advance(800);
    expect(sessions.find(id, ALICE, "n")?.state).toBe("stage 2");
    expect(sessions.size).toBe(1);
  });

  it("does not refresh the idle time on find", () => {
    const time = clock();
    const sessions = new AdhocSessions({ idleMs: 1_000 }, time.now);
    const id = sessions.open(ALICE, "n", "s");
    time.advance(600);
    expect(sessions.find(id, ALICE, "n")).toBeDefined();
    time.advance(400);
    expect(sessions.find(id, ALICE, "n")).toBeUndefined();
  });

  it("drops expired sessions of everyone when a session is opened", () => {
    const time = clock();
    const sessions = new AdhocSessions({ idleMs: 1_000 }, time.now);
    sessions.open(ALICE, "n", "a");
    sessions.open(BOB, "n", "b");
    time.advance(1_000);
    expect(sessions.size).toBe(2);
    sessions.open(ALICE, "n", "c");
    expect(sessions.size).toBe(1);
  });

  it("keeps an expired session of another owner when someone else looks it up", () => {
    const time = clock();
    const sessions = new AdhocSessions({ idleMs: 1_000 }, time.now);
    const id = sessions.open(ALICE, "n", "s");
    time.advance(2_000);
    expect(sessions.find(id, BOB, "n")).toBeUndefined();
    expect(sessions.size).toBe(1);
  });

  it("evicts only that owner's oldest session beyond the per-owner limit", () => {
    const sessions = new AdhocSessions({ perOwner: 2 });
    const bob = sessions.open(BOB, "n", "bob's");
    const first = sessions.open(ALICE, "n", 1);
    const second = sessions.open(ALICE, "n", 2);
    expect(sessions.size).toBe(3);
    const third = sessions.open(ALICE, "n", 3);
    expect(sessions.find(first, ALICE, "n")).toBeUndefined();
    expect(sessions.find(second, ALICE, "n")?.state).toBe(2);
    expect(sessions.find(third, ALICE, "n")?.state).toBe(3);
    expect(sessions.find(bob, BOB, "n")?.state).toBe("bob's");
    expect(sessions.size).toBe(3);
  });

  it("counts an owner's sessions across nodes for the limit", () => {
    const sessions = new AdhocSessions({ perOwner: 2 });
    const first = sessions.open(ALICE, "a", 1);
    sessions.open(ALICE, "b", 2);
    sessions.open(ALICE, "c", 3);
    expect(sessions.find(first, ALICE, "a")).toBeUndefined();
    expect(sessions.size).toBe(2);
  });

  it("keeps five sessions per owner by default", () => {
    const sessions = new AdhocSessions();
    const ids = Array.from({ length: 6 }, (_, i) => sessions.open(ALICE, "n", i));
    expect(sessions.size).toBe(5);
    expect(sessions.find(ids[0] ?? "", ALICE, "n")).toBeUndefined();
    expect(ids.slice(1).map((id) => sessions.find(id, ALICE, "n")?.state)).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps a single session with a limit of one, replacing it", () => {
    const sessions = new AdhocSessions({ perOwner: 1 });
    const first = sessions.open(ALICE, "n", 1);
    const second = sessions.open(ALICE, "n", 2);
    expect(sessions.find(first, ALICE, "n")).toBeUndefined();
    expect(sessions.find(second, ALICE, "n")?.state).toBe(2);
    expect(sessions.size).toBe(1);
  });

  it("counts the open sessions in size", () => {
    const sessions = new AdhocSessions();
    expect(sessions.size).toBe(0);
    const a = sessions.open(ALICE, "n", undefined);
    sessions.open(BOB, "n", undefined);
    expect(sessions.size).toBe(2);
    sessions.close(a);
    expect(sessions.size).toBe(1);
  });
});

describe("AdhocSessions at the per-owner limit", () => {
  it("does not evict another session when a session moves on to its next stage at the limit", () => {
    const sessions = new AdhocSessions({ perOwner: 2 });
    const first = sessions.open("a@x/r", "n", 1);
    const second = sessions.open("a@x/r", "n", 2);
    sessions.open("a@x/r", "n", "2b", second);
    expect(sessions.find(first, "a@x/r", "n")?.state).toBe(1);
    expect(sessions.find(second, "a@x/r", "n")?.state).toBe("2b");
    expect(sessions.size).toBe(2);
  });
});
