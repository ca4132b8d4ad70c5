import { describe, expect, it } from "vitest";
import { describeDuration, describeExpiry, formatDateTime, nowSeconds } from "../../../src/invites/expiry.js";

describe("expiry", () => {
  it("formats XEP-0082 UTC date-times without fractions", () => {
    expect(formatDateTime(1_796_349_542)).toBe("2026-12-04T01:59:02Z");
  });

  it("reads a clock in whole seconds", () => {
    expect(nowSeconds(() => 1_796_349_542_999)).toBe(1_796_349_542);
  });

  it.each([
    [604_800, "1 week"],
    [14 * 86_400, "2 weeks"],
    [10 * 86_400, "10 days"],
    [86_400 + 7_200, "1 day and 2 hours"],
    [3_600, "1 hour"],
    [2_700, "45 minutes"],
    [30, "less than a minute"],
    [604_799, "1 week"],
    [604_740, "6 days and 23 hours"],
  ])("describes %i seconds as %s", (seconds, words) => {
    expect(describeDuration(seconds)).toBe(words);
  });

  it("says how long and until when", () => {
    expect(describeExpiry(1_796_349_542, 1_796_349_542 - 604_800)).toBe("in 1 week, until Fri, 04 Dec 2026 01:59 UTC");
  });
});
