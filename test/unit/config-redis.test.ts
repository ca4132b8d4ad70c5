import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const minimal = {
  XMPP_DOMAIN: "example.org",
  XMPP_USERNAME: "invites",
  XMPP_PASSWORD: "secret",
  INVITE_SIGNING_KEY: "k".repeat(32),
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ ...minimal, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("the Redis settings (docs/redis.md)", () => {
  it("reads Sentinels with the master's name, their password and the data nodes' user", () => {
    const config = loadConfig({
      ...minimal,
      REDIS_SENTINELS: "10.0.0.5:26379, [::1]:26380",
      REDIS_SENTINEL_NAME: "mymaster",
      REDIS_SENTINEL_PASSWORD: "sentinel-pw",
      REDIS_USERNAME: "xmpp-invite-bot",
      REDIS_PASSWORD: "bot-pw",
    });
    expect(config.redis).toEqual({
      sentinel: {
        name: "mymaster",
        sentinels: [
          { host: "10.0.0.5", port: 26379 },
          { host: "::1", port: 26380 },
        ],
        sentinelPassword: "sentinel-pw",
        // By default an invite is handed out once every replica the Sentinels see up has it (docs/redis.md).
        confirmReplicas: "all",
        credentials: { username: "xmpp-invite-bot", password: "bot-pw" },
      },
      timeoutMs: 500,
    });
  });

  it("reads how many replicas confirm an invite behind Sentinel: all, or 0 to 5", () => {
    const sentinels = { REDIS_SENTINELS: "10.0.0.5:26379", REDIS_SENTINEL_NAME: "mymaster" };
    const confirm = (value: string) => {
      const { redis } = loadConfig({ ...minimal, ...sentinels, REDIS_SENTINEL_CONFIRM_REPLICAS: value });
      return "sentinel" in redis ? redis.sentinel.confirmReplicas : undefined;
    };
    expect(confirm("0")).toBe(0);
    expect(confirm("2")).toBe(2);
    expect(confirm("ALL")).toBe("all");
    for (const wrong of ["9", "-1", "some"]) {
      expect(problemsOf({ ...sentinels, REDIS_SENTINEL_CONFIRM_REPLICAS: wrong })).toEqual([
        `REDIS_SENTINEL_CONFIRM_REPLICAS must be "all" or a whole number of replicas from 0 to 5, got "${wrong}"`,
      ]);
    }
    expect(problemsOf({ REDIS_SENTINEL_CONFIRM_REPLICAS: "1" })[0]).toContain(
      "REDIS_SENTINEL_CONFIRM_REPLICAS needs REDIS_SENTINELS",
    );
  });

  it("reads cluster nodes", () => {
    expect(loadConfig({ ...minimal, REDIS_CLUSTER_NODES: "a.example:6379,b.example:6380" }).redis).toEqual({
      cluster: {
        nodes: [
          { host: "a.example", port: 6379 },
          { host: "b.example", port: 6380 },
        ],
        credentials: {},
      },
      timeoutMs: 500,
    });
  });

  it("refuses a mix, a missing name, a bad host:port and half-made settings, each with what to do", () => {
    expect(problemsOf({ REDIS_URL: "redis://h:6379", REDIS_CLUSTER_NODES: "h:6379" })).toEqual([
      "set only one of REDIS_URL (one server), REDIS_SENTINELS (Redis Sentinel) and REDIS_CLUSTER_NODES " +
        "(Redis Cluster); got REDIS_URL and REDIS_CLUSTER_NODES",
    ]);
    expect(problemsOf({ REDIS_SENTINELS: "h:26379" })[0]).toContain("REDIS_SENTINELS needs REDIS_SENTINEL_NAME");
    expect(problemsOf({ REDIS_CLUSTER_NODES: "h:6379,h,h:99999" })).toEqual([
      'REDIS_CLUSTER_NODES must be a comma-separated list of host:port, got "h" (for example REDIS_CLUSTER_NODES=10.0.0.5:6379,10.0.0.6:6379,10.0.0.7:6379)',
      'REDIS_CLUSTER_NODES must be a comma-separated list of host:port, got "h:99999" (for example REDIS_CLUSTER_NODES=10.0.0.5:6379,10.0.0.6:6379,10.0.0.7:6379)',
    ]);
    expect(problemsOf({ REDIS_SENTINEL_NAME: "mymaster" })).toEqual([
      "REDIS_SENTINEL_NAME needs REDIS_SENTINELS (the Sentinels' host:port list); the bot uses REDIS_URL",
    ]);
    expect(problemsOf({ REDIS_PASSWORD: "pw" })[0]).toContain("with REDIS_URL put the user and password in the URL");
    expect(problemsOf({ REDIS_CLUSTER_NODES: "h:6379", REDIS_USERNAME: "bot" })).toEqual([
      "REDIS_USERNAME needs REDIS_PASSWORD (the ACL user's password)",
    ]);
  });
});
