/**
 * The bot's Prometheus metrics (docs/operations.md), with prom-client on a registry of their own. They are fed from
 * the app's events (src/events.ts) — what the domain already says happened — and from the edges around it (the web
 * server's answers, the registrar's results, node-redis's tracing channel), never by counters inside the domain.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { EventSource } from "../events.js";
import type { InviteEvents } from "../invites/invite-events.js";
import type { NotificationEvents } from "../notifications/consumer.js";
import type { StorageEvents } from "../storage/backend.js";
import type { HealthReport } from "./health.js";

/** The events the metrics count: every app's map includes these. */
export type OpsEvents = InviteEvents & NotificationEvents & StorageEvents;

/**
 * The leader lease's event (issue 24), counted by name: the app may not emit it yet, and no field of it is read.
 */
export const LEADERSHIP_CHANGED = "leadership-changed";

const PREFIX = "xmpp_invite_bot_";

/** Seconds; Redis on a LAN answers in well under a millisecond, REDIS_TIMEOUT_MS (500 ms) ends a command. */
const REDIS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class OpsMetrics {
  readonly registry = new Registry();
  readonly #invitesCreated = this.#counter("invites_created_total", "Invites created, by kind", ["kind"]);
  readonly #invitesRevoked = this.#counter("invites_revoked_total", "Pending invites revoked", []);
  readonly #inviteUses = this.#counter(
    "invite_uses_total",
    "Uses of invites told by the server's use events, by kind: registered (a new account), subscribed, joined",
    ["kind"],
  );
  readonly #noticesSent = this.#counter("use_notices_sent_total", "Messages telling that an invite was used", []);
  readonly #useEventsIgnored = this.#counter(
    "use_events_ignored_total",
    "Use events acknowledged without a notice, by reason (unsigned, malformed)",
    ["reason"],
  );
  readonly #registrations = this.#counter(
    "web_registrations_total",
    "Accounts made (and passwords reset) on the web pages, by action and outcome: ok, or the reason for a refusal",
    ["action", "outcome"],
  );
  readonly #webRequests = this.#counter("web_requests_total", "Answers of the public web server, by status", [
    "status",
  ]);
  readonly #leaderChanges = this.#counter(
    "leader_changes_total",
    "Times this instance became or stopped being leader",
    [],
  );
  readonly #redisSeconds = new Histogram({
    name: `${PREFIX}redis_command_duration_seconds`,
    help: "Time Redis took to answer a command (blocking stream reads left out), by command",
    labelNames: ["command"],
    buckets: REDIS_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Known label values start at 0, so that a rate() has a series to start from before the first one happens.
    for (const kind of ["account", "contact", "password-reset"]) this.#invitesCreated.labels(kind).inc(0);
    for (const kind of ["registered", "subscribed", "joined"]) this.#inviteUses.labels(kind).inc(0);
    for (const action of ["register", "reset-password"]) this.#registrations.labels(action, "ok").inc(0);
  }

  /**
   * Counts what `events` says from now on (any app's events whose map includes OpsEvents); returns the function that
   * stops counting.
   */
  countEvents<M extends OpsEvents>(events: EventSource<M>): () => void {
    const forget = [
      events.on("invite-created", ({ kind }) => this.#invitesCreated.labels(kind).inc()),
      events.on("invites-revoked", ({ count }) => this.#invitesRevoked.inc(count)),
      events.on("use-handled", ({ event, told }) => {
        this.#inviteUses.labels(event.kind).inc();
        this.#noticesSent.inc(told.length);
      }),
      events.on("use-event-ignored", ({ reason }) => this.#useEventsIgnored.labels(reason).inc()),
      events.onEach(({ name }) => {
        if (name === LEADERSHIP_CHANGED) this.#leaderChanges.inc();
      }),
    ];
    return () => {
      for (const stop of forget) stop();
    };
  }

  /** The state gauges, read from `report` at each scrape. */
  watchHealth(report: () => HealthReport): void {
    const gauge = (name: string, help: string, value: (health: HealthReport) => boolean) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        registers: [this.registry],
        collect() {
          this.set(value(report()) ? 1 : 0);
        },
      });
    gauge("xmpp_online", "1 while logged in to the XMPP server", (health) => health.xmpp === "online");
    gauge("redis_up", "1 while connected to Redis", (health) => health.redis === "up");
    gauge(
      "leader",
      "1 on the instance that answers chat (a leader, or a single instance)",
      (h) => h.role !== "follower",
    );
  }

  redisCommand(command: string, seconds: number): void {
    this.#redisSeconds.labels(command).observe(seconds);
  }

  webResponse(status: number): void {
    this.#webRequests.labels(String(status)).inc();
  }

  registration(action: "register" | "reset-password", outcome: string): void {
    this.#registrations.labels(action, outcome).inc();
  }

  #counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name: `${PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }
}
