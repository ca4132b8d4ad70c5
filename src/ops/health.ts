/**
 * The bot's health as GET /healthz answers it (docs/operations.md): healthy ("ok", 200) while it is logged in to the
 * XMPP server and connected to Redis, "degraded" (503) otherwise, with each part's state and the instance's role.
 */
import type { EventSource } from "../events.js";
import type { StorageEvents } from "../storage/backend.js";

/** An instance's place among several (docs/operations.md): "single" where no leader lease runs. */
export type Role = "leader" | "follower" | "single";

export interface HealthReport {
  readonly status: "ok" | "degraded";
  /** The XMPP client's status, as @xmpp/client names it ("online", "connecting", "offline", …). */
  readonly xmpp: string;
  readonly redis: "up" | "down";
  readonly role: Role;
}

/** Where the report's parts come from. */
export interface HealthSources {
  readonly xmppStatus: () => string;
  readonly redisUp: () => boolean;
  /** From the leader lease, when the app runs one; without it an instance is "single". */
  readonly role?: (() => "leader" | "follower") | undefined;
}

export function healthReport(sources: HealthSources): HealthReport {
  const xmpp = sources.xmppStatus();
  const redis = sources.redisUp() ? "up" : "down";
  // A follower is healthy: it stands by, and answers at its full JID (docs/operations.md).
  const status = xmpp === "online" && redis === "up" ? "ok" : "degraded";
  return { status, xmpp, redis, role: sources.role?.() ?? "single" };
}

/**
 * Whether Redis is reachable, from the storage's `store-link` events: down until the first connection, down from a
 * loss until it is restored. `initiallyUp` is for a tracker made after the app started (tests). A Redis that hangs
 * without closing the connection still counts as up: its commands time out (REDIS_TIMEOUT_MS) and are refused.
 */
export function storeLinkState<M extends StorageEvents>(
  events: EventSource<M>,
  initiallyUp = false,
): { readonly up: () => boolean; readonly forget: () => void } {
  let up = initiallyUp;
  const forget = events.on("store-link", ({ state }) => {
    up = state !== "lost";
  });
  return { up: () => up, forget };
}
