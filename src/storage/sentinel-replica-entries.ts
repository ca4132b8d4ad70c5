/**
 * What a `SENTINEL REPLICAS` reply says (Sentinel documentation, "Sentinel API"), and which of its replicas count
 * for REDIS_SENTINEL_CONFIRM_REPLICAS=all (sentinel-replicas.ts).
 */
import type { RedisNodeAddress } from "./redis-target.js";

/**
 * Not `disconnected`: a Sentinel also flags so the replicas it has just learned of (the old master and the other
 * replicas, right after a switch), and counting none then would hand out, unconfirmed, what the old master still takes.
 */
const DOWN_FLAGS = ["s_down", "o_down"];

export interface ReplicaEntry {
  /** `ip:port`, as the Sentinels name it. */
  readonly address: string;
  readonly flags: readonly string[];
  /** What the node last said it is: `slave`, or `master` for one promoted or not yet demoted. */
  readonly role: string;
}

/** The entries of a `SENTINEL REPLICAS` reply (a list of field, value lists); what cannot be read is left out. */
export function replicasOf(reply: unknown): ReplicaEntry[] {
  if (!Array.isArray(reply)) throw new Error("SENTINEL REPLICAS did not answer with a list");
  return reply.flatMap((fields: unknown) => {
    if (!Array.isArray(fields)) return [];
    const field = (name: string) => {
      const at = fields.indexOf(name);
      return at < 0 ? undefined : String(fields[at + 1] ?? "");
    };
    const flags = field("flags")?.split(",") ?? [];
    if (!flags.includes("slave")) return [];
    return [{ address: field("name") ?? "", flags, role: field("role-reported") ?? "slave" }];
  });
}

/** Replicas no Sentinel flag says are down, but for the masters this client left that still are (`stillMasters`). */
export function upReplicas(replicas: readonly ReplicaEntry[], stillMasters: ReadonlySet<string> = new Set()): number {
  return replicas.filter(({ address, flags }) => !isDown(flags) && !stillMasters.has(address)).length;
}

export const isDown = (flags: readonly string[]) => flags.some((flag) => DOWN_FLAGS.includes(flag));

/** `ip:port` as the Sentinels name a node (an IPv6 address has colons of its own). */
export function nodeAddress(name: string): RedisNodeAddress {
  const at = name.lastIndexOf(":");
  return { host: name.slice(0, at), port: Number(name.slice(at + 1)) };
}
