/**
 * Prosody's module and the bot on a Redis Cluster (docs/prosody.md "Redis Sentinel and Redis Cluster",
 * docs/redis.md): three masters, Prosody given a node that does not hold the host's slot first, so its first call
 * is redirected (MOVED) and it must follow; the bot with REDIS_CLUSTER_NODES. The registration suite
 * (test/helpers/registration-suite.ts): an account invite, a contact invite that registers, XEP-0379, 20 racers on
 * one single-use invite, a reusable invite's cap, use events, and Prosody's own invites written on the cluster (one
 * MULTI/EXEC sent whole). On 0.12 and 13. The same suite runs on Valkey 8 in valkey-registration.test.ts.
 */
import { clusterBotEnv, startClusterServers } from "../helpers/cluster-servers.js";
import { registrationSuite } from "../helpers/registration-suite.js";

registrationSuite({
  title: "on a Redis Cluster",
  firstCall: "Prosody following the redirection from a node without the host's slot",
  async start() {
    const servers = await startClusterServers();
    return { servers, botEnv: clusterBotEnv(servers.cluster) };
  },
});
