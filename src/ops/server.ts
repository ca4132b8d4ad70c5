/**
 * The operations HTTP server (docs/operations.md), apart from the public pages' server so that it can stay on
 * loopback or a private network: GET /healthz (JSON, 200 or 503) and GET /metrics (Prometheus text format 0.0.4).
 * Built apart from listen(), Fastify's way, so tests drive it through inject() and a real port alike.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { Logger } from "../logger.js";
import type { HealthReport } from "./health.js";

export interface OpsServerDeps {
  readonly health: () => HealthReport;
  readonly registry: Registry;
  readonly log: Logger;
}

export function buildOpsServer(deps: OpsServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: true });
  // A probe or a scraper must never see a cached answer.
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("cache-control", "no-store");
    return payload;
  });
  // 503 tells a load balancer or an orchestrator to look elsewhere (RFC 9110 §15.6.4); the body says why.
  app.get("/healthz", (_request, reply) => {
    const report = deps.health();
    return reply.code(report.status === "ok" ? 200 : 503).send(report);
  });
  app.get("/metrics", async (_request, reply) => {
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: "not found", paths: ["/healthz", "/metrics"] }),
  );
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) deps.log.error("Operations request failed", { url: request.url, error: error.message });
    return reply.code(status).send({ error: status >= 500 ? "internal error" : error.message });
  });
  return app;
}
