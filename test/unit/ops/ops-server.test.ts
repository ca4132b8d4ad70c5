/**
 * The operations listener's two routes (src/ops/, docs/operations.md) through inject(), with fakes for what the app
 * passes: its events, the XMPP client's status, the leader lease's role. /healthz follows XMPP and the store link;
 * /metrics counts the app's events, the registrar's results, the web server's answers and node-redis's commands.
 */
import { tracingChannel } from "node:diagnostics_channel";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { Events } from "../../../src/events.js";
import type { UseEvent } from "../../../src/invites/use-event.js";
import { createLogger } from "../../../src/logger.js";
import { countRegistrations, countWebRequests } from "../../../src/ops/counted-edges.js";
import { healthReport, storeLinkState } from "../../../src/ops/health.js";
import { LEADERSHIP_CHANGED, type OpsEvents, OpsMetrics } from "../../../src/ops/metrics.js";
import { timeRedisCommands } from "../../../src/ops/redis-timing.js";
import { buildOpsServer } from "../../../src/ops/server.js";
import type { Registrar } from "../../../src/registration/registrar.js";

const log = createLogger("silent");

function world(role?: () => "leader" | "follower") {
  const events = new Events<OpsEvents>();
  const state = { xmpp: "connecting" };
  const redis = storeLinkState(events);
  const health = () => healthReport({ xmppStatus: () => state.xmpp, redisUp: redis.up, role });
  const metrics = new OpsMetrics();
  metrics.watchHealth(health);
  metrics.countEvents(events);
  const server = buildOpsServer({ health, registry: metrics.registry, log });
  return { events, state, metrics, server };
}

/** The value of one sample line of the Prometheus text, e.g. `name{label="x"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const use = (kind: UseEvent["kind"]): UseEvent => ({
  kind,
  inviter: "alice@example.org",
  invitee: "newcomer@example.org",
  invite: "abc",
  at: 0,
  rooms: [],
});

describe("GET /healthz", () => {
  it("is 503 until XMPP is online and Redis connected, 200 then, and 503 again when Redis is lost", async () => {
    const { events, state, server } = world();
    const first = await server.inject("/healthz");
    expect(first.statusCode).toBe(503);
    expect(first.headers["content-type"]).toMatch(/^application\/json/u);
    expect(first.headers["cache-control"]).toBe("no-store");
    expect(first.json()).toEqual({ status: "degraded", xmpp: "connecting", redis: "down", role: "single" });

    events.emit("store-link", { state: "connected" });
    expect((await server.inject("/healthz")).json()).toMatchObject({ status: "degraded", redis: "up" });
    state.xmpp = "online";
    const healthy = await server.inject("/healthz");
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json()).toEqual({ status: "ok", xmpp: "online", redis: "up", role: "single" });

    events.emit("store-link", { state: "lost" });
    const lost = await server.inject("/healthz");
    expect(lost.statusCode).toBe(503);
    expect(lost.json()).toEqual({ status: "degraded", xmpp: "online", redis: "down", role: "single" });
    events.emit("store-link", { state: "restored" });
    expect((await server.inject("/healthz")).statusCode).toBe(200);
  });

  it("reports the lease's role; a follower that is online and connected is healthy", async () => {
    let role: "leader" | "follower" = "follower";
    const { events, state, server } = world(() => role);
    events.emit("store-link", { state: "connected" });
    state.xmpp = "online";
    const follower = await server.inject("/healthz");
    expect(follower.statusCode).toBe(200);
    expect(follower.json()).toMatchObject({ status: "ok", role: "follower" });
    role = "leader";
    expect((await server.inject("/healthz")).json()).toMatchObject({ role: "leader" });
  });

  it("answers HEAD, and 404 with the two paths elsewhere", async () => {
    const { server } = world();
    expect((await server.inject({ method: "HEAD", url: "/healthz" })).statusCode).toBe(503);
    const other = await server.inject("/");
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual({ error: "not found", paths: ["/healthz", "/metrics"] });
  });
});

describe("GET /metrics", () => {
  it("counts invites, uses, notices and ignored entries from the app's events", async () => {
    const { events, server } = world();
    const before = (await server.inject("/metrics")).body;
    expect(sample(before, 'xmpp_invite_bot_invites_created_total{kind="account"}')).toBe(0);
    expect(sample(before, 'xmpp_invite_bot_invite_uses_total{kind="registered"}')).toBe(0);

    events.emit("invite-created", { id: "a1", kind: "account", type: "register", by: "admin@example.org" });
    events.emit("invite-created", { id: "a2", kind: "account", type: "register", by: "admin@example.org" });
    events.emit("invite-created", { id: "c1", kind: "contact", type: "roster", by: "alice@example.org" });
    events.emit("invites-revoked", { count: 3, by: "admin@example.org" });
    events.emit("use-handled", { event: use("registered"), told: ["alice@example.org", "admin@example.org"] });
    events.emit("use-handled", { event: use("subscribed"), told: [] });
    events.emit("use-event-ignored", { id: "1-0", reason: "unsigned" });
    (events as unknown as Events<Record<string, unknown>>).emit(LEADERSHIP_CHANGED, { role: "leader" });

    const response = await server.inject("/metrics");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = response.body;
    expect(sample(text, 'xmpp_invite_bot_invites_created_total{kind="account"}')).toBe(2);
    expect(sample(text, 'xmpp_invite_bot_invites_created_total{kind="contact"}')).toBe(1);
    expect(sample(text, 'xmpp_invite_bot_invites_created_total{kind="password-reset"}')).toBe(0);
    expect(sample(text, "xmpp_invite_bot_invites_revoked_total")).toBe(3);
    expect(sample(text, 'xmpp_invite_bot_invite_uses_total{kind="registered"}')).toBe(1);
    expect(sample(text, 'xmpp_invite_bot_invite_uses_total{kind="subscribed"}')).toBe(1);
    expect(sample(text, "xmpp_invite_bot_use_notices_sent_total")).toBe(2);
    expect(sample(text, 'xmpp_invite_bot_use_events_ignored_total{reason="unsigned"}')).toBe(1);
    expect(sample(text, "xmpp_invite_bot_leader_changes_total")).toBe(1);
    expect(text).toContain("# TYPE xmpp_invite_bot_invites_created_total counter");
  });

  it("has the state gauges and the process's own metrics", async () => {
    const { events, state, server } = world(() => "follower");
    events.emit("store-link", { state: "connected" });
    state.xmpp = "online";
    const text = (await server.inject("/metrics")).body;
    expect(sample(text, "xmpp_invite_bot_xmpp_online")).toBe(1);
    expect(sample(text, "xmpp_invite_bot_redis_up")).toBe(1);
    expect(sample(text, "xmpp_invite_bot_leader")).toBe(0);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(text).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");
  });

  it("counts the web registrar's results by action and outcome, errors included", async () => {
    const { metrics, server } = world();
    const answers = [{ ok: true } as const, { ok: false, reason: "username-taken" } as const];
    const registrar: Registrar = {
      register: async () => answers.shift() ?? Promise.reject(new Error("server gone")),
      resetPassword: async () => ({ ok: false, reason: "invite-invalid" }),
    };
    const counted = countRegistrations(registrar, metrics);
    const request = { token: "t", username: "u", password: "p" };
    expect(await counted.register(request)).toEqual({ ok: true });
    expect(await counted.register(request)).toEqual({ ok: false, reason: "username-taken" });
    await expect(counted.register(request)).rejects.toThrow("server gone");
    expect(await counted.resetPassword(request)).toEqual({ ok: false, reason: "invite-invalid" });
    const text = (await server.inject("/metrics")).body;
    expect(sample(text, 'xmpp_invite_bot_web_registrations_total{action="register",outcome="ok"}')).toBe(1);
    expect(sample(text, 'xmpp_invite_bot_web_registrations_total{action="register",outcome="username-taken"}')).toBe(1);
    expect(sample(text, 'xmpp_invite_bot_web_registrations_total{action="register",outcome="error"}')).toBe(1);
    expect(
      sample(text, 'xmpp_invite_bot_web_registrations_total{action="reset-password",outcome="invite-invalid"}'),
    ).toBe(1);
    expect(sample(text, 'xmpp_invite_bot_web_registrations_total{action="reset-password",outcome="ok"}')).toBe(0);
  });

  it("counts the public web server's answers by status", async () => {
    const { metrics, server } = world();
    const web = Fastify({ logger: false });
    web.get("/", async () => "home");
    countWebRequests(web, metrics);
    await web.inject("/");
    await web.inject("/");
    await web.inject("/nowhere");
    await web.close();
    const text = (await server.inject("/metrics")).body;
    expect(sample(text, 'xmpp_invite_bot_web_requests_total{status="200"}')).toBe(2);
    expect(sample(text, 'xmpp_invite_bot_web_requests_total{status="404"}')).toBe(1);
  });

  it("times Redis commands and MULTIs from node-redis's tracing channels, not reads that block on purpose", async () => {
    const { metrics, server } = world();
    const stop = timeRedisCommands((command, seconds) => metrics.redisCommand(command, seconds));
    // What node-redis 5.12 does around each command (@redis/client/dist/lib/client/tracing.js).
    const channel = tracingChannel("node-redis:command");
    const run = (args: string[], outcome: Promise<unknown> = Promise.resolve("OK")) =>
      channel.tracePromise(() => outcome, { command: args[0], args });
    await run(["GET", "key"]);
    await run(["EVALSHA", "sha", "1", "key"]);
    await run(["GET", "key"], Promise.reject(new Error("READONLY"))).catch(() => undefined);
    await run(["XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">"]);
    // A MULTI … EXEC is one batch; a pipeline's commands are traced one by one, so the pipeline is not timed again.
    const batch = tracingChannel("node-redis:batch");
    await batch.tracePromise(async () => "OK", { batchMode: "MULTI", batchSize: 2 });
    await batch.tracePromise(async () => "OK", { batchMode: "PIPELINE", batchSize: 2 });
    stop();
    await run(["GET", "after-stop"]);
    const text = (await server.inject("/metrics")).body;
    expect(sample(text, 'xmpp_invite_bot_redis_command_duration_seconds_count{command="GET"}')).toBe(2);
    expect(sample(text, 'xmpp_invite_bot_redis_command_duration_seconds_count{command="EVALSHA"}')).toBe(1);
    expect(sample(text, 'xmpp_invite_bot_redis_command_duration_seconds_count{command="MULTI"}')).toBe(1);
    expect(text).not.toContain('command="XREADGROUP"');
    expect(text).not.toContain('command="PIPELINE"');
    expect(sample(text, 'xmpp_invite_bot_redis_command_duration_seconds_bucket{le="2.5",command="GET"}')).toBe(2);
  });
});
