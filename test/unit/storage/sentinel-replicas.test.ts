/**
 * Which replicas count for REDIS_SENTINEL_CONFIRM_REPLICAS=all (src/storage/sentinel-replicas.ts): every one a
 * Sentinel lists for the master until a flag says it is down, including a promoted one and one still syncing.
 */
import { describe, expect, it } from "vitest";
import { upReplicas } from "../../../src/storage/sentinel-replicas.js";

/** One entry of `SENTINEL REPLICAS`, as Redis 7 sends it: field, value, field, value, … */
const replica = (port: number, flags: string, link = "ok") => [
  "name",
  `127.0.0.1:${port}`,
  "ip",
  "127.0.0.1",
  "port",
  String(port),
  "flags",
  flags,
  "master-link-status",
  link,
];

describe("upReplicas", () => {
  it("counts replicas no Sentinel flag says are down", () => {
    expect(upReplicas([replica(1, "slave"), replica(2, "slave")])).toBe(2);
    expect(upReplicas([replica(1, "slave"), replica(2, "s_down,slave"), replica(3, "s_down,slave,disconnected")])).toBe(
      1,
    );
    expect(upReplicas([replica(1, "o_down,s_down,slave")])).toBe(0);
    expect(upReplicas([])).toBe(0);
  });

  it("counts a replica being promoted and one still syncing: either may hold what the next master has", () => {
    expect(upReplicas([replica(1, "slave,promoted"), replica(2, "slave", "err")])).toBe(2);
  });

  it("counts a replica a Sentinel has just learned of (disconnected until it connects), as right after a switch", () => {
    expect(upReplicas([replica(1, "slave,disconnected"), replica(2, "slave,disconnected")])).toBe(2);
  });

  it("counts nothing it cannot read, and refuses a reply that is not a list", () => {
    expect(upReplicas([["name", "x"], "junk", [replica(1, "master")].flat()])).toBe(0);
    expect(() => upReplicas("ERR unknown")).toThrow("SENTINEL REPLICAS did not answer with a list");
  });
});
