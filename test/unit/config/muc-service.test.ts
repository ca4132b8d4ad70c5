import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../src/config.js";

const minimal = {
  XMPP_DOMAIN: "example.org",
  XMPP_USERNAME: "invites",
  XMPP_PASSWORD: "secret",
  INVITE_SIGNING_KEY: "k".repeat(32),
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ ...minimal, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("MUC_SERVICE", () => {
  it("is unset by default (the service is found with XEP-0030), else the domain given, in lower case", () => {
    expect(loadConfig(minimal).mucService).toBeUndefined();
    expect(loadConfig({ ...minimal, MUC_SERVICE: "Conference.Example.org" }).mucService).toBe("conference.example.org");
  });

  it("fails the configuration with a helpful message for what is not a group chat service's domain", () => {
    expect(problems({ MUC_SERVICE: "https://conference.example.org" })).toEqual([
      'MUC_SERVICE is a domain, not a URL: "https://conference.example.org" (for example MUC_SERVICE=conference.example.org)',
    ]);
    expect(problems({ MUC_SERVICE: "room@conference.example.org" })).toEqual([
      'MUC_SERVICE is the group chat service\'s domain, not a room or an account: "room@conference.example.org" (for example MUC_SERVICE=conference.example.org)',
    ]);
    expect(problems({ MUC_SERVICE: "not a domain" })).toEqual([
      'MUC_SERVICE is not a domain name: "not a domain" (for example MUC_SERVICE=conference.example.org)',
    ]);
    expect(problems({ MUC_SERVICE: "example.org" })).toEqual([
      "MUC_SERVICE is the group chat service (for example MUC_SERVICE=conference.example.org), not XMPP_DOMAIN itself, whose addresses are accounts",
    ]);
  });
});
