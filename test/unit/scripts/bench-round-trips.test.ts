import { describe, expect, it } from "vitest";
import { roundTripsIn } from "../../../scripts/bench-round-trips.js";

describe("counting Redis round trips in MONITOR's lines", () => {
  it("counts a script once, a MULTI … EXEC once, and each other command", () => {
    const lines = [
      '1.1 [0 127.0.0.1:5000] "EVALSHA" "abc" "1" "k" "1000"',
      '1.2 [0 lua] "INCR" "k"',
      '1.3 [0 lua] "PTTL" "k"',
      '1.4 [0 127.0.0.1:5000] "MULTI"',
      '1.5 [0 127.0.0.1:5000] "SET" "a" "1"',
      '1.6 [0 127.0.0.1:5001] "GET" "b"',
      '1.7 [0 127.0.0.1:5000] "ZADD" "z" "1" "a"',
      '1.8 [0 127.0.0.1:5000] "EXEC"',
      '1.9 [0 127.0.0.1:5000] "PING"',
      "OK",
    ];
    expect(roundTripsIn(lines)).toBe(4);
  });
});
