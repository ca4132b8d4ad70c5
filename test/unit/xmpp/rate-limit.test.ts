import { describe, expect, it } from "vitest";
import { RateLimiter, slowDownText } from "../../../src/xmpp/rate-limit.js";

function limiter(burst = 3, perSecond = 1) {
  let now = 0;
  return { limiter: new RateLimiter({ burst, perSecond, now: () => now }), later: (ms: number) => (now += ms) };
}

describe("RateLimiter", () => {
  it("allows a burst, then refuses with the time until the next token", () => {
    const { limiter: l } = limiter();
    expect([l.take("a"), l.take("a"), l.take("a")].every((d) => d.allowed)).toBe(true);
    expect(l.take("a")).toEqual({ allowed: false, retryAfterMs: 1000, firstRefusal: true });
  });

  it("keeps requesters apart", () => {
    const { limiter: l } = limiter(1);
    expect(l.take("a").allowed).toBe(true);
    expect(l.take("a").allowed).toBe(false);
    expect(l.take("b").allowed).toBe(true);
  });

  it("refills over time", () => {
    const { limiter: l, later } = limiter(2, 2);
    l.take("a");
    l.take("a");
    expect(l.take("a").allowed).toBe(false);
    later(500);
    expect(l.take("a").allowed).toBe(true);
  });

  it("says 'first refusal' once per channel until the requester is allowed again", () => {
    const { limiter: l, later } = limiter(1);
    l.take("a");
    expect(l.take("a", "chat")).toMatchObject({ firstRefusal: true });
    expect(l.take("a", "chat")).toMatchObject({ firstRefusal: false });
    expect(l.take("a", "iq")).toMatchObject({ firstRefusal: true });
    later(1000);
    expect(l.take("a", "chat").allowed).toBe(true);
    expect(l.take("a", "chat")).toMatchObject({ firstRefusal: true });
  });

  it("does not grow without bound under a flood of senders", () => {
    const l = new RateLimiter({ burst: 1, perSecond: 1, maxTracked: 1_000, now: () => 0 });
    // Every sender has spent its token, so none is idle and full: the cap alone keeps the map small.
    for (let i = 0; i < 50_000; i += 1) {
      l.take(`sender${i}`);
      expect(l.tracked).toBeLessThanOrEqual(1_000);
    }
    expect(l.tracked).toBeGreaterThan(0);
    // Still answers, and an unknown sender starts with a full budget.
    expect(l.take("newcomer").allowed).toBe(true);
  });
});

describe("slowDownText", () => {
  it("rounds up to whole seconds", () => {
    expect(slowDownText(1)).toBe("You are sending requests too fast; please wait 1 second and try again.");
    expect(slowDownText(2500)).toBe("You are sending requests too fast; please wait 3 seconds and try again.");
  });
});
