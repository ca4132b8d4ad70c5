/**
 * Whose request this is (docs/web.md, "Behind a reverse proxy"): TRUST_PROXY turned into Fastify's `trustProxy`,
 * which walks X-Forwarded-For from the right (@fastify/proxy-addr), and the address the rate limits count.
 */
import { BlockList, isIP } from "node:net";
import type { FastifyRequest } from "fastify";
import type { TrustProxy } from "../config.js";

/** Fastify's own forms of `trustProxy` that this project uses. */
export type TrustProxyOption = false | string[] | ((address: string, hop: number) => boolean);

/**
 * TRUST_PROXY as Fastify's `trustProxy`. A number of proxies becomes a function trusting that many hops from the
 * socket: Fastify 5 refuses a bare number, because a client that can reach the port directly could then choose
 * its address. That holds here too: a number is for a WEB_LISTEN that only the proxies can reach (docs/web.md).
 */
export function trustProxyOption(trust: TrustProxy): TrustProxyOption {
  if (trust === false) return false;
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  return [...trust];
}

/**
 * Whether a connection's peer is a trusted proxy, speaking for many visitors: such a peer is not held to the
 * per-address connection cap. With a number of proxies, every peer is one.
 */
export function isProxyPeer(trust: TrustProxy): (address: string | undefined) => boolean {
  if (trust === false) return () => false;
  if (typeof trust === "number") return () => true;
  const proxies = new BlockList();
  for (const entry of trust) {
    const [address = "", prefix] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) proxies.addAddress(address, family);
    else proxies.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const family = isIP(address ?? "");
    return family !== 0 && proxies.check(address ?? "", family === 6 ? "ipv6" : "ipv4");
  };
}

/**
 * The visitor's address as the rate limits count it: Fastify's `request.ip` when it is an IP address, else (a
 * proxy passed on something else) the socket's own address, so that no other string ever becomes a key.
 */
export function clientAddress(request: FastifyRequest): string {
  if (isIP(request.ip) !== 0) return request.ip;
  return request.socket.remoteAddress ?? "unknown";
}
