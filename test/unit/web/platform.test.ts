import { describe, expect, it } from "vitest";
import { platformOf } from "../../../src/web/platform.js";

const AGENTS = {
  android:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  macSafari:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  windows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  linuxFirefox: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  chromebook:
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
} as const;

describe("platformOf", () => {
  it("tells the common browsers' platforms apart", () => {
    expect(platformOf(AGENTS.android)).toBe("android"); // says Linux too
    expect(platformOf(AGENTS.iphone)).toBe("ios"); // says Mac OS X too
    expect(platformOf(AGENTS.macSafari)).toBe("macos");
    expect(platformOf(AGENTS.windows)).toBe("windows");
    expect(platformOf(AGENTS.linuxFirefox)).toBe("linux");
    expect(platformOf(AGENTS.chromebook)).toBe("linux");
  });

  it("says nothing for a missing or unknown User-Agent", () => {
    expect(platformOf(undefined)).toBeUndefined();
    expect(platformOf("")).toBeUndefined();
    expect(platformOf("curl/8.5.0")).toBeUndefined();
  });
});
