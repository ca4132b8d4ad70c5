import { describe, expect, it, vi } from "vitest";
import { guardedCredentials, isLoopbackAddress, mayAuthenticate } from "../../../src/xmpp/credentials.js";

const link = (secure: boolean, remoteAddress?: string) => ({ isSecure: () => secure, socket: { remoteAddress } });

describe("credentials only over a protected link", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::1", true],
    ["::ffff:127.0.0.1", true],
    ["10.0.0.5", false],
    ["192.168.1.2", false],
    ["::ffff:10.0.0.5", false],
    ["2001:db8::1", false],
    [undefined, false],
  ])("treats %s as loopback: %s", (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });

  it("allows an encrypted link anywhere, and a plain one only to loopback", () => {
    expect(mayAuthenticate(link(true, "203.0.113.7"))).toBe(true);
    expect(mayAuthenticate(link(false, "127.0.0.1"))).toBe(true);
    expect(mayAuthenticate(link(false, "203.0.113.7"))).toBe(false);
  });

  it("refuses before sending anything over a plain remote link", async () => {
    const authenticate = vi.fn(async () => {});
    const guard = guardedCredentials("bot", "s3cret");
    await expect(guard(authenticate, ["SCRAM-SHA-1", "PLAIN"], undefined, link(false, "203.0.113.7"))).rejects.toThrow(
      /^Refusing to send the password over an unencrypted connection to 203\.0\.113\.7/u,
    );
    expect(authenticate).not.toHaveBeenCalled();
  });

  it("authenticates over loopback without PLAIN, and over TLS with the server's first choice", async () => {
    const authenticate = vi.fn(async () => {});
    const guard = guardedCredentials("bot", "s3cret");
    await guard(authenticate, ["PLAIN", "SCRAM-SHA-1"], undefined, link(false, "127.0.0.1"));
    expect(authenticate).toHaveBeenLastCalledWith(
      { username: "bot", password: "s3cret" },
      "SCRAM-SHA-1",
      expect.anything(),
    );
    await guard(authenticate, ["PLAIN", "SCRAM-SHA-1"], undefined, link(true, "203.0.113.7"));
    expect(authenticate).toHaveBeenLastCalledWith({ username: "bot", password: "s3cret" }, "PLAIN", expect.anything());
  });
});

describe("redactTokens (XMPP_DEBUG)", () => {
  it("cuts every whole token short and leaves everything else", async () => {
    const { redactTokens } = await import("../../../src/xmpp/debug-log.js");
    expect(redactTokens("xmpp:a@b?roster;preauth=AbCdEfGhIjKlMnOpQrStUv_-;ibr=y")).toBe(
      "xmpp:a@b?roster;preauth=AbCd…;ibr=y",
    );
    expect(redactTokens("https://x/invite?AbCdEfGhIjKlMnOpQrStUv_-")).toBe("https://x/invite?AbCd…");
    expect(redactTokens("short-id-1234 and a-much-longer-identifier-than-a-token")).toBe(
      "short-id-1234 and a-much-longer-identifier-than-a-token",
    );
  });

  it("cuts an HTTP API key short, as the bot's one reply that holds it travels", async () => {
    const { redactTokens } = await import("../../../src/xmpp/debug-log.js");
    const key = `xib_${"Ab_-".repeat(10)}xyz`;
    expect(redactTokens(`Your key: ${key} (keep it)`)).toBe("Your key: xib_Ab_-… (keep it)");
  });
});

describe("chooseMechanism", () => {
  it("takes the server's first choice on an encrypted link, and never PLAIN on a plain one", async () => {
    const { chooseMechanism } = await import("../../../src/xmpp/credentials.js");
    expect(chooseMechanism(["PLAIN", "SCRAM-SHA-1"], true)).toBe("PLAIN");
    expect(chooseMechanism(["PLAIN", "SCRAM-SHA-1"], false)).toBe("SCRAM-SHA-1");
    expect(chooseMechanism(["PLAIN"], false)).toBeUndefined();
  });
});
