import { describe, expect, it } from "vitest";
import type { EventStream, StreamEntry } from "../../../src/invites/store.js";
import { CLAIM_IDLE_MS, StreamReader } from "../../../src/notifications/stream-reader.js";

const entry = (id: string): StreamEntry => ({ id, fields: {}, signed: true });

/** A stream that answers each kind of read from its own queue and counts claims. */
function scripted(pending: StreamEntry[][], fresh: StreamEntry[][], claimable: StreamEntry[][]) {
  const calls: string[] = [];
  const stream: EventStream = {
    ensureGroup: async () => {
      calls.push("group");
    },
    read: async (which) => {
      calls.push(which);
      return (which === "pending" ? pending : fresh).shift() ?? [];
    },
    ack: async () => {},
    claim: async (minIdleMs) => {
      calls.push(`claim ${minIdleMs}`);
      return claimable.shift() ?? [];
    },
    close: async () => {},
  };
  return { stream, calls };
}

describe("StreamReader", () => {
  it("reads its own pending entries first, then claims once, then new entries", async () => {
    const { stream, calls } = scripted([[entry("1-0")], []], [[entry("3-0")]], []);
    const reader = new StreamReader(stream, { blockMs: 10, now: () => 0 });
    expect(await reader.next()).toEqual({ entries: [entry("1-0")], claimed: 0 });
    expect(await reader.next()).toEqual({ entries: [], claimed: 0 });
    expect(await reader.next()).toEqual({ entries: [entry("3-0")], claimed: 0 });
    expect(calls).toEqual(["group", "pending", "group", "pending", `claim ${CLAIM_IDLE_MS}`, "new"]);
  });

  it("looks for idle entries twice per idle limit, and again at once while a look finds some", async () => {
    let now = 0;
    const { stream, calls } = scripted([[]], [], [[entry("1-0")], [entry("2-0")], []]);
    const reader = new StreamReader(stream, { blockMs: 10, claimIdleMs: 1_000, now: () => now });
    expect((await reader.next()).claimed).toBe(1);
    expect(await reader.next()).toEqual({ entries: [entry("2-0")], claimed: 1 });
    expect((await reader.next()).claimed).toBe(0); // none left: the next look is 500 ms away
    now = 499;
    await reader.next();
    now = 500;
    await reader.next();
    expect(calls.filter((call) => call.startsWith("claim"))).toEqual(Array(4).fill("claim 1000"));
  });

  it("starts again from its own pending entries after a restart", async () => {
    const { stream, calls } = scripted([[], []], [], []);
    const reader = new StreamReader(stream, { blockMs: 10, now: () => 0 });
    await reader.next();
    reader.restart();
    await reader.next();
    expect(calls.filter((call) => call === "pending")).toHaveLength(2);
  });
});
