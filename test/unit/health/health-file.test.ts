/** The bot's health file and the healthcheck that reads it (src/health/), with a fake client's events. */
import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@xmpp/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkHealth } from "../../../src/health/check.js";
import { trackHealth } from "../../../src/health/health-file.js";
import { createLogger } from "../../../src/logger.js";

let dir: string;
let path: string;
const lines: string[] = [];
const log = createLogger("debug", { write: (line: string) => lines.push(line) });
const at = () => new Date("2026-12-04T10:00:00.000Z");

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "health-"));
  path = join(dir, "bot.health");
  lines.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakeClient(): EventEmitter & Client {
  return new EventEmitter() as EventEmitter & Client;
}

describe("the health file", () => {
  it("says starting, then online with the JID, then offline with the reason, and goes at stop", () => {
    const xmpp = fakeClient();
    const forget = trackHealth(xmpp, path, log, at);
    expect(checkHealth(path)).toEqual({ healthy: false, words: "offline since 2026-12-04T10:00:00.000Z: starting" });
    xmpp.emit("online", { toString: () => "invites@example.org/invites" });
    expect(checkHealth(path)).toEqual({
      healthy: true,
      words: "online as invites@example.org/invites since 2026-12-04T10:00:00.000Z",
    });
    xmpp.emit("error", Object.assign(new Error("not-authorized"), { name: "SASLError", condition: "not-authorized" }));
    xmpp.emit("disconnect", { clean: false });
    expect(checkHealth(path).healthy).toBe(false);
    expect(checkHealth(path).words).toContain(
      "authentication failed (not-authorized): check XMPP_USERNAME and XMPP_PASSWORD, and that the account exists",
    );
    xmpp.emit("error", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    expect(checkHealth(path).words).toContain("cannot reach the XMPP server (ECONNREFUSED)");
    xmpp.emit("error", Object.assign(new Error("unable to verify"), { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }));
    expect(checkHealth(path).words).toContain(
      "the server's TLS certificate could not be verified (UNABLE_TO_VERIFY_LEAF_SIGNATURE): for a private CA, set NODE_EXTRA_CA_CERTS",
    );
    forget();
    expect(checkHealth(path)).toEqual({ healthy: false, words: `${path}: not there (is the bot running?)` });
  });

  it("is never half written: each change replaces the whole file", () => {
    const xmpp = fakeClient();
    trackHealth(xmpp, path, log, at);
    xmpp.emit("online", { toString: () => "a@b/c" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ online: true, jid: "a@b/c", pid: process.pid });
  });

  it("logs once, and goes on, when the file cannot be written", () => {
    const xmpp = fakeClient();
    trackHealth(xmpp, join(dir, "missing", "bot.health"), log, at);
    xmpp.emit("online", { toString: () => "a@b/c" });
    expect(lines.filter((line) => line.includes("Cannot write HEALTH_FILE"))).toHaveLength(1);
  });
});

describe("the healthcheck", () => {
  it("is unhealthy without HEALTH_FILE, with a file of a process that is gone, or with a broken file", () => {
    expect(checkHealth(undefined).words).toBe("HEALTH_FILE is not set: the bot writes no health file");
    writeFileSync(path, JSON.stringify({ online: true, since: "x", pid: 2 ** 22 + 1, jid: "a@b/c" }));
    expect(checkHealth(path)).toEqual({
      healthy: false,
      words: `the bot that wrote ${path} (pid ${2 ** 22 + 1}) is not running`,
    });
    writeFileSync(path, "{");
    expect(checkHealth(path).healthy).toBe(false);
  });
});
