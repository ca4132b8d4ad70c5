/**
 * The operations listener in the app's lifecycle (src/ops/listener.ts) on a real loopback port: it answers while
 * started, a taken port ends the start through onFatal, and OPS_LISTEN=off leaves everything as it was.
 */
import { describe, expect, it } from "vitest";
import { Events } from "../../../src/events.js";
import { createLogger } from "../../../src/logger.js";
import { opsListener } from "../../../src/ops/listener.js";
import type { OpsEvents } from "../../../src/ops/metrics.js";
import type { Registrar } from "../../../src/registration/registrar.js";

const lines: string[] = [];
const log = createLogger("debug", { write: (line: string) => lines.push(line) });
const registrar: Registrar = { register: async () => ({ ok: true }), resetPassword: async () => ({ ok: true }) };

function listener(port = 0, onFatal?: (error: Error) => void) {
  return opsListener(
    { listen: { host: "127.0.0.1", port } },
    { events: new Events<OpsEvents>(), xmppStatus: () => "online", log, onFatal, redisInitiallyUp: true },
  );
}

describe("the operations listener", () => {
  it("answers /healthz and /metrics on its port from start to stop", async () => {
    const ops = listener();
    expect(await ops.start()).toBe(true);
    const address = ops.address ?? "";
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/u);
    expect(lines.join("")).toContain("Operations listener on OPS_LISTEN");
    const health = await fetch(`http://${address}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", xmpp: "online", redis: "up", role: "single" });
    expect(await (await fetch(`http://${address}/metrics`)).text()).toContain("xmpp_invite_bot_redis_up 1");
    await ops.stop();
    await expect(fetch(`http://${address}/healthz`)).rejects.toThrow();
  });

  it("counts what happened before it started: the metrics load while the XMPP session connects", async () => {
    const events = new Events<OpsEvents>();
    const ops = opsListener(
      { listen: { host: "127.0.0.1", port: 0 } },
      { events, xmppStatus: () => "connecting", log, redisInitiallyUp: false },
    );
    events.emit("invite-created", { id: "abcdefgh", kind: "contact", type: "roster", by: "alice@localhost" });
    events.emit("store-link", { state: "connected" });
    expect(ops.metrics).toBeUndefined();
    expect(await ops.start()).toBe(true);
    const text = await (await fetch(`http://${ops.address}/metrics`)).text();
    expect(text).toContain('xmpp_invite_bot_invites_created_total{kind="contact"} 1');
    expect(text).toContain("xmpp_invite_bot_redis_up 1");
    events.emit("invite-created", { id: "bcdefghi", kind: "contact", type: "roster", by: "alice@localhost" });
    expect(await (await fetch(`http://${ops.address}/metrics`)).text()).toContain(
      'xmpp_invite_bot_invites_created_total{kind="contact"} 2',
    );
    await ops.stop();
  });

  it("ends the start through onFatal when the port is taken", async () => {
    const first = listener();
    await first.start();
    const port = Number(first.address?.split(":")[1]);
    const fatal: Error[] = [];
    const second = listener(port, (error) => fatal.push(error));
    expect(await second.start()).toBe(false);
    expect(fatal[0]?.message).toMatch(/EADDRINUSE/u);
    expect(lines.join("")).toContain("Cannot listen for /healthz and /metrics on OPS_LISTEN");
    await second.stop();
    await first.stop();
  });

  it("with OPS_LISTEN=off, listens nowhere and gives the registrar back as it is", async () => {
    const ops = opsListener(undefined, { events: new Events<OpsEvents>(), xmppStatus: () => "online", log });
    expect(await ops.start()).toBe(true);
    expect(ops.address).toBeUndefined();
    expect(ops.metrics).toBeUndefined();
    expect(ops.countRegistrations(registrar)).toBe(registrar);
    await ops.stop();
  });
});
