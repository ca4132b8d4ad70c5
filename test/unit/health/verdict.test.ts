/**
 * What `node dist/healthcheck.js` answers (src/health/verdict.ts): /healthz on OPS_LISTEN when it is set, the
 * HEALTH_FILE when only that is set, and one line that says what is wrong otherwise.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Events } from "../../../src/events.js";
import { healthVerdict } from "../../../src/health/verdict.js";
import { createLogger } from "../../../src/logger.js";
import { opsListener } from "../../../src/ops/listener.js";
import type { OpsEvents } from "../../../src/ops/metrics.js";

const events = new Events<OpsEvents>();
let xmpp = "online";
const ops = opsListener(
  { listen: { host: "127.0.0.1", port: 0 } },
  { events, xmppStatus: () => xmpp, log: createLogger("silent"), redisInitiallyUp: true },
);
let dir: string;
let healthFile: string;

beforeAll(async () => {
  await ops.start();
  dir = mkdtempSync(join(tmpdir(), "verdict-"));
  healthFile = join(dir, "bot.health");
  const state = { online: true, since: "2026-12-05T08:00:00.000Z", pid: process.pid, jid: "bot@localhost/a" };
  writeFileSync(healthFile, JSON.stringify(state));
});
afterAll(async () => {
  await ops.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the healthcheck's verdict", () => {
  it("asks /healthz at OPS_LISTEN, HEALTH_FILE or not", async () => {
    const OPS_LISTEN = ops.address ?? "";
    expect(await healthVerdict({ OPS_LISTEN, HEALTH_FILE: healthFile })).toEqual({
      healthy: true,
      words: "ok: XMPP online, Redis up, single",
    });
    xmpp = "connecting";
    events.emit("store-link", { state: "lost" });
    expect(await healthVerdict({ OPS_LISTEN })).toEqual({
      healthy: false,
      words: "degraded (HTTP 503): XMPP connecting, Redis down, single",
    });
    xmpp = "online";
    events.emit("store-link", { state: "restored" });
  });

  it("reads HEALTH_FILE when OPS_LISTEN is unset or off", async () => {
    const online = { healthy: true, words: "online as bot@localhost/a since 2026-12-05T08:00:00.000Z" };
    expect(await healthVerdict({ HEALTH_FILE: healthFile })).toEqual(online);
    expect(await healthVerdict({ OPS_LISTEN: "off", HEALTH_FILE: healthFile })).toEqual(online);
  });

  it("says so when nothing answers, or there is nothing to ask", async () => {
    const port = Number(ops.address?.split(":")[1]);
    const closed = opsListener(
      { listen: { host: "127.0.0.1", port: 0 } },
      { events, xmppStatus: () => xmpp, log: createLogger("silent") },
    );
    await closed.start();
    const gone = closed.address ?? "";
    await closed.stop();
    expect(port).toBeGreaterThan(0);
    expect(await healthVerdict({ OPS_LISTEN: gone })).toEqual({
      healthy: false,
      words: `http://${gone}/healthz: no answer (ECONNREFUSED); is the bot running, and OPS_LISTEN the same?`,
    });
    expect(await healthVerdict({ OPS_LISTEN: "off" })).toEqual({
      healthy: false,
      words: "OPS_LISTEN is off and HEALTH_FILE is not set: nothing tells the bot's health",
    });
    expect((await healthVerdict({ OPS_LISTEN: "nine" })).words).toBe('OPS_LISTEN must be host:port or off, got "nine"');
  });
});
