/** The bot's resource (src/config/xmpp.ts, docs/instances.md): XMPP_RESOURCE, else one per host, stable. */
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { Reader } from "../../../src/config/reader.js";
import { readResource } from "../../../src/config/xmpp.js";

const resourceOf = (env: Record<string, string>, system = "host-a") => readResource(new Reader(env), system);

describe("the bot's resource", () => {
  it("is XMPP_RESOURCE when set, whatever the host", () => {
    expect(resourceOf({ XMPP_RESOURCE: "bot", HOSTNAME: "box" })).toBe("bot");
  });

  it("comes from HOSTNAME (as containers set it), else from the system's host name", () => {
    expect(resourceOf({ HOSTNAME: "3f2c9a1b7d0e" })).toBe("invites-3f2c9a1b7d0e");
    expect(resourceOf({})).toBe("invites-host-a");
    expect(resourceOf({ HOSTNAME: " " })).toBe("invites-host-a");
    expect(readResource(new Reader({}))).toMatch(/^invites-/u);
    expect(readResource(new Reader({}))).toBe(readResource(new Reader({}), hostname()));
  });

  it("is the same on each start of the same host, and differs between hosts", () => {
    expect(resourceOf({}, "node-1")).toBe(resourceOf({}, "node-1"));
    expect(resourceOf({}, "node-1")).not.toBe(resourceOf({}, "node-2"));
  });

  it("keeps letters, digits, '.', '_' and '-', and makes anything else a '-'", () => {
    expect(resourceOf({}, "bot host/ä@1")).toBe("invites-bot-host-1");
    expect(resourceOf({}, "--edge--")).toBe("invites-edge");
    expect(resourceOf({}, "@@@")).toBe("invites");
    expect(resourceOf({}, "x".repeat(300))).toBe(`invites-${"x".repeat(63)}`);
  });
});
