/**
 * Without XMPP_SERVICE the bot finds its server as a client does (RFC 6120 §3.2.1,
 * DNS SRV `_xmpp-client._tcp`), so a domain that delegates XMPP to another host
 * works out of the box. DNS here is a private server on 127.0.0.1.
 */
import { getServers, Resolver, setServers } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";

let world: Scenario;
let dns: DnsServer;
const systemServers = getServers();

beforeAll(async () => {
  world = await startScenario();
  // The server is not on localhost:5222 (the old default): only SRV can tell where it is.
  dns = await startDnsServer({
    "_xmpp-client._tcp.localhost": [{ priority: 0, weight: 5, port: world.servers.prosody.port, target: "127.0.0.1" }],
  });
  setServers([`127.0.0.1:${dns.port}`]);
});

afterAll(async () => {
  setServers(systemServers);
  await world?.stop();
  await dns?.stop();
});

describe("finding the XMPP server", () => {
  it("the private DNS server answers SRV the way resolvers expect", async () => {
    const resolver = new Resolver();
    resolver.setServers([`127.0.0.1:${dns.port}`]);
    const records = await new Promise((resolve, reject) =>
      resolver.resolveSrv("_xmpp-client._tcp.localhost", (error, found) => (error ? reject(error) : resolve(found))),
    );
    // Node 24 adds `type: "SRV"` to each record; 22 does not.
    expect(records).toEqual([
      expect.objectContaining({ priority: 0, weight: 5, port: world.servers.prosody.port, name: "127.0.0.1" }),
    ]);
  });

  it("looks up DNS SRV when XMPP_SERVICE is unset, and comes online at the host it names", async () => {
    const bot = await world.startBot("bot", { XMPP_SERVICE: "" });
    expect(bot.config.xmpp.service).toBe("localhost");
    expect(dns.asked).toContain("_xmpp-client._tcp.localhost");
    expect(bot.app.xmpp.status).toBe("online");
  });
});
