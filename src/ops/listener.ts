/**
 * The operations listener in the app's lifecycle (OPS_LISTEN, docs/operations.md): /healthz and /metrics on a port of
 * their own. It starts beside the XMPP session, loading prom-client and Fastify while the session connects
 * (docs/benchmarks.md, "Start-up"); what the app's events say meanwhile is held and counted once the metrics are
 * there. It stops last. A port it cannot have ends the start (logged, handed to `onFatal`: main exits 2), as
 * WEB_LISTEN's does. With OPS_LISTEN=off it loads nothing and counts nothing.
 */
import type { FastifyInstance } from "fastify";
import type { OpsConfig } from "../config/ops.js";
import { type EventSource, heldEvents } from "../events.js";
import type { Logger } from "../logger.js";
import type { Registrar } from "../registration/registrar.js";
import { countRegistrations, countWebRequests } from "./counted-edges.js";
import { healthReport, storeLinkState } from "./health.js";
import type { OpsEvents, OpsMetrics } from "./metrics.js";
import { timeRedisCommands } from "./redis-timing.js";

export interface OpsDeps<M extends OpsEvents> {
  /** The app's events: the metrics count them, and Redis's state comes from `store-link`. */
  readonly events: EventSource<M>;
  /** The XMPP client's status (`xmpp.status`). */
  readonly xmppStatus: () => string;
  /** The leader lease's view of this instance; "single" without it. */
  readonly role?: (() => "leader" | "follower") | undefined;
  readonly log: Logger;
  readonly onFatal?: ((error: Error) => void) | undefined;
  /** Whether Redis is connected already, for a listener made after the app started (tests); false by default. */
  readonly redisInitiallyUp?: boolean;
}

export interface OpsListener {
  /** Where it listens (host:port) once started. */
  readonly address: string | undefined;
  /** Once started; undefined before, and with OPS_LISTEN=off. */
  readonly metrics: OpsMetrics | undefined;
  /** The registrar to give the web pages: `registrar` counting its results. */
  countRegistrations(registrar: Registrar): Registrar;
  /** Counts the public web server's answers by status, from the start of the listener on; call before it listens. */
  countWebRequests(server: FastifyInstance | undefined): void;
  start(): Promise<boolean>;
  stop(): Promise<void>;
}

export function opsListener<M extends OpsEvents>(config: OpsConfig | undefined, deps: OpsDeps<M>): OpsListener {
  if (config === undefined) {
    return {
      address: undefined,
      metrics: undefined,
      countRegistrations: (registrar) => registrar,
      countWebRequests: () => {},
      start: async () => true,
      stop: async () => {},
    };
  }
  const { log } = deps;
  const redis = storeLinkState(deps.events, deps.redisInitiallyUp);
  const health = () => healthReport({ xmppStatus: deps.xmppStatus, redisUp: redis.up, role: deps.role });
  const events = heldEvents(deps.events);
  let metrics: OpsMetrics | undefined;
  let server: FastifyInstance | undefined;
  let address: string | undefined;
  let stopTiming: (() => void) | undefined;
  // What the edges count reaches the metrics from when start() has loaded them.
  const edges: Pick<OpsMetrics, "registration" | "webResponse"> = {
    registration: (action, outcome) => metrics?.registration(action, outcome),
    webResponse: (status) => metrics?.webResponse(status),
  };
  return {
    get address() {
      return address;
    },
    get metrics() {
      return metrics;
    },
    countRegistrations: (registrar) => countRegistrations(registrar, edges),
    countWebRequests: (web) => {
      if (web !== undefined) countWebRequests(web, edges);
    },
    async start() {
      const [{ OpsMetrics }, { buildOpsServer }] = await Promise.all([import("./metrics.js"), import("./server.js")]);
      metrics = new OpsMetrics();
      metrics.watchHealth(health);
      metrics.countEvents(events);
      events.release();
      server = buildOpsServer({ health, registry: metrics.registry, log });
      const { host, port } = config.listen;
      try {
        await server.listen({ host, port });
      } catch (error) {
        log.error("Cannot listen for /healthz and /metrics on OPS_LISTEN", {
          listen: `${host}:${port}`,
          error: (error as Error).message,
        });
        deps.onFatal?.(error as Error);
        return false;
      }
      stopTiming = timeRedisCommands((command, seconds) => metrics?.redisCommand(command, seconds));
      address = hostPort(server.server.address(), host, port);
      log.info("Operations listener on OPS_LISTEN", { listen: address, paths: "/healthz /metrics" });
      return true;
    },
    async stop() {
      stopTiming?.();
      events.forget();
      redis.forget();
      await server?.close();
    },
  };
}

function hostPort(address: ReturnType<FastifyInstance["server"]["address"]>, host: string, port: number): string {
  if (address === null || typeof address === "string") return `${host}:${port}`;
  return address.family === "IPv6" ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}
