/**
 * The test servers' Prosody configuration fits the Prosody it runs on: on 13, nothing that 13 warns about
 * (mod_posix, legacy_ssl_ports, daemonize, storage set twice); on both, Prosody's own SCRAM iteration count, as
 * deployed (the clients' native PBKDF2 makes it cheap: src/xmpp/scram-sha-1.ts).
 */
import { describe, expect, it } from "vitest";
import { prosodyConfig } from "../../helpers/prosody-config.js";

const input = { dir: "/tmp/x", port: 5222, hosts: ["localhost"], storage: '{ invite_token = "invites_redis" }' };
const lines = (text: string, pattern: RegExp): string[] => text.split("\n").filter((line) => pattern.test(line));

describe("the test Prosody's configuration", () => {
  it("on Prosody 13: Prosody's iteration count, and none of the options 13 warns about", () => {
    const config = prosodyConfig({ ...input, major: 13 });
    expect(lines(config, /iteration_count/u)).toEqual([]);
    expect(config).not.toMatch(/"posix"|^legacy_ssl_ports|^daemonize/mu);
    expect(lines(config, /^storage\s*=/u)).toHaveLength(1);
  });

  it("on Prosody 0.12: Prosody's iteration count, and mod_posix for the pidfile", () => {
    const config = prosodyConfig({ ...input, major: 0 });
    expect(lines(config, /iteration_count/u)).toEqual([]);
    expect(config).toMatch(/"posix"/u);
    expect(lines(config, /^storage\s*=/u)).toHaveLength(1);
  });
});
