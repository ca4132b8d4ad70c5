import { describe, expect, it } from "vitest";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";
import { checkLimits, clientKey } from "../../../src/web/rate-limits.js";

describe("clientKey", () => {
  it("keeps IPv4 addresses and takes the /64 of IPv6 ones", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("2001:db8:0:1:aaaa::1")).toBe("2001:db8:0:1::/64");
    expect(clientKey("2001:DB8:0:1:bbbb:cccc:dddd:eeee")).toBe("2001:db8:0:1::/64");
    expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });
});

describe("checkLimits", () => {
  it("refuses once any key is over its limit, until the longest of those windows ends", async () => {
    let now = 1_000_000;
    const counter = new MemoryInviteStore(() => now).hitCounter();
    const checks = [
      { key: "a", limit: { limit: 2, windowMs: 60_000 } },
      { key: "b", limit: { limit: 1, windowMs: 600_000 } },
    ];
    expect(await checkLimits(counter, checks)).toEqual({ allowed: true });
    expect(await checkLimits(counter, checks)).toEqual({ allowed: false, retryAfterSeconds: 600 });
    now += 600_000;
    expect(await checkLimits(counter, checks)).toEqual({ allowed: true });
  });
});
