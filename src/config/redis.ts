/**
 * Where the bot's Redis is (docs/redis.md): one server by REDIS_URL (the default), a master found through Redis
 * Sentinel (REDIS_SENTINELS with REDIS_SENTINEL_NAME), or a Redis Cluster (REDIS_CLUSTER_NODES). Exactly one of the
 * three. In Sentinel and Cluster mode the data nodes' ACL user is REDIS_USERNAME / REDIS_PASSWORD, since there is no
 * one URL to carry it; REDIS_SENTINEL_PASSWORD is the Sentinels' own `requirepass`, a different secret.
 */
import type { Reader } from "./reader.js";
import { DEFAULTS, type RedisCredentials, type RedisNodeAddress, type RedisTarget } from "./types.js";

const SENTINEL_EXAMPLE = "REDIS_SENTINELS=10.0.0.5:26379,10.0.0.6:26379,10.0.0.7:26379";
const CLUSTER_EXAMPLE = "REDIS_CLUSTER_NODES=10.0.0.5:6379,10.0.0.6:6379,10.0.0.7:6379";
/** A WAIT for more replicas than a Sentinel set has would refuse every invite; five is more than any has. */
const MAX_CONFIRM_REPLICAS = 5;

/** Where Redis is; load.ts adds REDIS_TIMEOUT_MS where it always read it, so problems keep their order. */
export function readRedis(reader: Reader): RedisTarget {
  const url = reader.optional("REDIS_URL");
  const sentinels = reader.optional("REDIS_SENTINELS");
  const cluster = reader.optional("REDIS_CLUSTER_NODES");
  const chosen = [
    ["REDIS_URL", url],
    ["REDIS_SENTINELS", sentinels],
    ["REDIS_CLUSTER_NODES", cluster],
  ].filter(([, value]) => value !== undefined);
  if (chosen.length > 1) {
    reader.problems.push(
      `set only one of REDIS_URL (one server), REDIS_SENTINELS (Redis Sentinel) and REDIS_CLUSTER_NODES ` +
        `(Redis Cluster); got ${chosen.map(([name]) => name).join(" and ")}`,
    );
  }
  if (sentinels !== undefined && chosen.length === 1) {
    const name = reader.optional("REDIS_SENTINEL_NAME");
    if (name === undefined) {
      reader.problems.push(
        "REDIS_SENTINELS needs REDIS_SENTINEL_NAME, the master's name in the Sentinels' `sentinel monitor` line " +
          "(for example REDIS_SENTINEL_NAME=mymaster)",
      );
    }
    const sentinelPassword = reader.optional("REDIS_SENTINEL_PASSWORD");
    return {
      sentinel: {
        name: name ?? "",
        sentinels: readNodes(reader, "REDIS_SENTINELS", sentinels, SENTINEL_EXAMPLE),
        ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
        confirmReplicas: readConfirmReplicas(reader),
        credentials: readCredentials(reader),
      },
    };
  }
  if (cluster !== undefined && chosen.length === 1) {
    refuseSentinelOnly(reader, "REDIS_CLUSTER_NODES");
    return {
      cluster: {
        nodes: readNodes(reader, "REDIS_CLUSTER_NODES", cluster, CLUSTER_EXAMPLE),
        credentials: readCredentials(reader),
      },
    };
  }
  const single = url ?? DEFAULTS.redisUrl;
  reader.url("REDIS_URL", single, ["redis:", "rediss:"], DEFAULTS.redisUrl);
  if (chosen.length <= 1) {
    refuseSentinelOnly(reader, "REDIS_URL");
    for (const name of ["REDIS_USERNAME", "REDIS_PASSWORD"]) {
      if (reader.optional(name) !== undefined) {
        reader.problems.push(
          `${name} is for REDIS_SENTINELS and REDIS_CLUSTER_NODES; with REDIS_URL put the user and password in ` +
            "the URL (redis://USER:PASSWORD@HOST:PORT)",
        );
      }
    }
  }
  return { url: single };
}

/**
 * REDIS_SENTINEL_CONFIRM_REPLICAS: `all` (the default), every replica the Sentinels see up; or a fixed number, 0 for
 * none (docs/redis.md, "Failover without losing invites").
 */
function readConfirmReplicas(reader: Reader): number | "all" {
  const value = reader.optional("REDIS_SENTINEL_CONFIRM_REPLICAS");
  if (value === undefined || value.toLowerCase() === "all") return "all";
  if (/^\d+$/u.test(value) && Number(value) <= MAX_CONFIRM_REPLICAS) return Number(value);
  reader.problems.push(
    `REDIS_SENTINEL_CONFIRM_REPLICAS must be "all" or a whole number of replicas from 0 to ${MAX_CONFIRM_REPLICAS}, ` +
      `got "${value}"`,
  );
  return "all";
}

/** A Sentinel setting (name, password, replicas to confirm) without REDIS_SENTINELS are a half-made setting: say so. */
function refuseSentinelOnly(reader: Reader, mode: string): void {
  for (const name of ["REDIS_SENTINEL_NAME", "REDIS_SENTINEL_PASSWORD", "REDIS_SENTINEL_CONFIRM_REPLICAS"]) {
    if (reader.optional(name) !== undefined) {
      reader.problems.push(`${name} needs REDIS_SENTINELS (the Sentinels' host:port list); the bot uses ${mode}`);
    }
  }
}

function readCredentials(reader: Reader): RedisCredentials {
  const username = reader.optional("REDIS_USERNAME");
  const password = reader.optional("REDIS_PASSWORD");
  if (username !== undefined && password === undefined) {
    reader.problems.push("REDIS_USERNAME needs REDIS_PASSWORD (the ACL user's password)");
  }
  return { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
}

/** `host:port,host:port`, IPv6 as `[::1]:port`; every bad item is reported, each with the example. */
export function readNodes(reader: Reader, name: string, value: string, example: string): RedisNodeAddress[] {
  const nodes: RedisNodeAddress[] = [];
  for (const item of value.split(",").map((part) => part.trim())) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/@]+)):(\d{1,5})$/u.exec(item);
    const port = Number(match?.[3]);
    const host = match?.[1] ?? match?.[2];
    if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65_535) {
      reader.problems.push(
        `${name} must be a comma-separated list of host:port, got "${item}" (for example ${example})`,
      );
      continue;
    }
    nodes.push({ host, port });
  }
  return nodes;
}
