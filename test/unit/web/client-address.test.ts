/** Whose address a request is counted under, for each form of TRUST_PROXY (docs/web.md, "Behind a reverse proxy"). */
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import type { TrustProxy } from "../../../src/config.js";
import { clientAddress, isProxyPeer, trustProxyOption } from "../../../src/web/client-address.js";

/** The address the pages count a request from `socket` with this X-Forwarded-For under. */
async function addressOf(trust: TrustProxy, socket: string, forwardedFor?: string): Promise<string> {
  const app = Fastify({ trustProxy: trustProxyOption(trust) });
  app.get("/", (request) => clientAddress(request));
  const reply = await app.inject({
    method: "GET",
    url: "/",
    remoteAddress: socket,
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
  });
  await app.close();
  return reply.body;
}

describe("clientAddress", () => {
  it("false: the socket's address, whatever X-Forwarded-For says", async () => {
    expect(await addressOf(false, "192.0.2.1", "203.0.113.5")).toBe("192.0.2.1");
    expect(await addressOf(false, "2001:db8::7")).toBe("2001:db8::7");
  });

  it("one proxy: the right-most entry, the one the proxy wrote; what the client sent before it does not count", async () => {
    expect(await addressOf(1, "127.0.0.1", "203.0.113.5")).toBe("203.0.113.5");
    expect(await addressOf(1, "127.0.0.1", "198.51.100.1, 203.0.113.5")).toBe("203.0.113.5");
    expect(await addressOf(1, "127.0.0.1", "198.51.100.1,2001:db8::1")).toBe("2001:db8::1");
    expect(await addressOf(1, "127.0.0.1")).toBe("127.0.0.1");
  });

  it("two proxies: the second entry from the right (or the only one there is)", async () => {
    expect(await addressOf(2, "10.0.0.2", "198.51.100.1, 203.0.113.5, 10.0.0.1")).toBe("203.0.113.5");
    expect(await addressOf(2, "10.0.0.2", "203.0.113.5")).toBe("203.0.113.5");
  });

  it("a list of proxies: the first address from the right that is not one of them", async () => {
    const proxies = ["127.0.0.1", "10.0.0.0/8", "fd00::/8"];
    expect(await addressOf(proxies, "127.0.0.1", "198.51.100.1, 203.0.113.5, 10.0.0.1")).toBe("203.0.113.5");
    expect(await addressOf(proxies, "127.0.0.1", "203.0.113.5, fd00::1")).toBe("203.0.113.5");
    // A peer that is not a proxy is the visitor itself, whatever it claims.
    expect(await addressOf(proxies, "192.0.2.9", "203.0.113.5")).toBe("192.0.2.9");
  });

  it("never counts under anything but an IP address: otherwise the socket's address", async () => {
    expect(await addressOf(1, "127.0.0.1", "not-an-address")).toBe("127.0.0.1");
    expect(await addressOf(1, "127.0.0.1", "203.0.113.5, 203.0.113.6:8080")).toBe("127.0.0.1");
    expect(await addressOf(1, "127.0.0.1", `${"9".repeat(500)}`)).toBe("127.0.0.1");
    expect(await addressOf(["127.0.0.1"], "127.0.0.1", "unknown")).toBe("127.0.0.1");
  });
});

describe("isProxyPeer", () => {
  it("says which peers speak for others, for the per-address connection cap", () => {
    expect(isProxyPeer(false)("127.0.0.1")).toBe(false);
    expect(isProxyPeer(1)("192.0.2.1")).toBe(true);
    const listed = isProxyPeer(["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"]);
    expect(listed("127.0.0.1")).toBe(true);
    expect(listed("::ffff:10.1.2.3")).toBe(true);
    expect(listed("2001:db8:1::5")).toBe(true);
    expect(listed("192.0.2.1")).toBe(false);
    expect(listed(undefined)).toBe(false);
  });
});
