/**
 * Which replicas count for REDIS_SENTINEL_CONFIRM_REPLICAS=all (src/storage/sentinel-replicas.ts): every one a
 * Sentinel lists for the master until a flag says it is down, including a promoted one and one still syncing; but
 * not an old master this client left that still is one (asked with ROLE: test/integration/sentinel-replica-count.test.ts).
 */
import { describe, expect, it } from "vitest";
import { replicasOf, upReplicas } from "../../../src/storage/sentinel-replica-entries.js";
import { SentinelReplicaCount } from "../../../src/storage/sentinel-replicas.js";

/** One entry of `SENTINEL REPLICAS`, as Redis 7 sends it: field, value, field, value, … */
const replica = (port: number, flags: string, role = "slave", link = "ok") => [
  "name",
  `127.0.0.1:${port}`,
  "ip",
  "127.0.0.1",
  "port",
  String(port),
  "flags",
  flags,
  "role-reported",
  role,
  "master-link-status",
  link,
];
const count = (reply: unknown, stillMasters?: ReadonlySet<string>) => upReplicas(replicasOf(reply), stillMasters);

describe("upReplicas", () => {
  it("counts replicas no Sentinel flag says are down", () => {
    expect(count([replica(1, "slave"), replica(2, "slave")])).toBe(2);
    expect(count([replica(1, "slave"), replica(2, "s_down,slave"), replica(3, "s_down,slave,disconnected")])).toBe(1);
    expect(count([replica(1, "o_down,s_down,slave")])).toBe(0);
    expect(count([])).toBe(0);
  });

  it("counts a replica being promoted and one still syncing: either may hold what the next master has", () => {
    expect(count([replica(1, "slave,promoted", "master"), replica(2, "slave", "slave", "err")])).toBe(2);
  });

  it("counts a replica a Sentinel has just learned of (disconnected until it connects), as right after a switch", () => {
    expect(count([replica(1, "slave,disconnected"), replica(2, "slave,disconnected")])).toBe(2);
  });

  it("leaves out the old masters that still are, and only those", () => {
    const stillMasters = new Set(["127.0.0.1:1"]);
    expect(count([replica(1, "slave", "master"), replica(2, "slave")], stillMasters)).toBe(1);
    // Another node saying it is master is one being promoted: it counts.
    expect(count([replica(2, "slave", "master")], stillMasters)).toBe(1);
  });

  it("counts nothing it cannot read, and refuses a reply that is not a list", () => {
    expect(count([["name", "x"], "junk", [replica(1, "master")].flat()])).toBe(0);
    expect(() => replicasOf("ERR unknown")).toThrow("SENTINEL REPLICAS did not answer with a list");
  });
});

describe("SentinelReplicaCount.masterIs", () => {
  it("keeps the masters this client moved away from, but not the one it is on", () => {
    const replicas = new SentinelReplicaCount({ name: "m", sentinels: [], timeoutMs: 100 });
    replicas.masterIs({ host: "127.0.0.1", port: 1 });
    expect([...replicas.formerMasters]).toEqual([]);
    replicas.masterIs({ host: "127.0.0.1", port: 1 }); // found again, as after a reconnection: no change
    expect([...replicas.formerMasters]).toEqual([]);
    replicas.masterIs({ host: "127.0.0.1", port: 2 });
    expect([...replicas.formerMasters]).toEqual(["127.0.0.1:1"]);
    replicas.masterIs({ host: "127.0.0.1", port: 1 }); // failed back
    expect([...replicas.formerMasters]).toEqual(["127.0.0.1:2"]);
    replicas.stop();
  });

  it("fails rather than guess when no Sentinel answers", async () => {
    const replicas = new SentinelReplicaCount({ name: "m", sentinels: [], timeoutMs: 100 });
    await expect(replicas.current()).rejects.toThrow("no Sentinel said how many replicas m has");
    replicas.stop();
  });
});
