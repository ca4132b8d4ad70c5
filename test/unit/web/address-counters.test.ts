import { describe, expect, it } from "vitest";
import { AddressCounters } from "../../../src/web/address-counters.js";

describe("AddressCounters", () => {
  it("count hits in fixed windows per key, each window from its first hit", async () => {
    let now = 1_000_000;
    const counters = new AddressCounters(() => now);
    expect(await counters.hit("views:192.0.2.1", 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    now += 10_000;
    expect(await counters.hit("views:192.0.2.1", 60_000)).toEqual({ count: 2, resetInMs: 50_000 });
    expect(await counters.hit("views:192.0.2.2", 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    now += 50_000;
    expect(await counters.hit("views:192.0.2.1", 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });

  it("forget ended windows, and remember at most `capacity` addresses per window length, oldest first", async () => {
    let now = 0;
    const counters = new AddressCounters(() => now, 3);
    for (const address of ["a", "b", "c"]) {
      await counters.hit(address, 60_000);
      now += 1000;
    }
    await counters.hit("a", 60_000);
    expect(counters.size).toBe(3);
    // A fourth address: the oldest window ("a", though counted again since) goes.
    expect((await counters.hit("d", 60_000)).count).toBe(1);
    expect(counters.size).toBe(3);
    expect((await counters.hit("c", 60_000)).count).toBe(2);
    expect((await counters.hit("a", 60_000)).count).toBe(1);
    expect((await counters.hit("b", 60_000)).count).toBe(1);
    // Another window length has its own room.
    await counters.hit("a", 600_000);
    expect(counters.size).toBe(4);
    now += 120_000;
    await counters.hit("e", 60_000);
    expect(counters.size).toBe(2);
  });
});
