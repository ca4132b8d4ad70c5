/**
 * The instance's role on the bot's XMPP session (docs/instances.md): it competes for the leader lease while online
 * and gives it up when the stream ends or the bot stops; the role sets the presence priority (leader 0, follower -1),
 * so only the leader is reached at the bot's bare JID and gets the messages stored while no instance led.
 */
import type { Client } from "@xmpp/client";
import type { EventSink } from "../events.js";
import type { LeaderLease } from "../invites/leadership.js";
import type { Logger } from "../logger.js";
import type { Presence } from "../xmpp/presence.js";
import type { Component } from "./component.js";
import { Leadership, type LeadershipEvents, type LeaseTimers } from "./leadership.js";
import { settledOrAfter } from "./settled-or-after.js";
import { FOLLOWER_PRIORITY, LEADER_PRIORITY } from "./xmpp-side.js";

/** The longest a login's first presence waits for the instance's first try for the lease. */
const FIRST_TRY_WAIT_MS = 2_000;

export interface InstanceRoleOptions {
  readonly lease: LeaderLease | undefined;
  /** The instance's XMPP resource: its name in the lease. */
  readonly resource: string;
  readonly log: Logger;
  readonly events: EventSink<LeadershipEvents>;
  /** Lease timings (tests shorten them). */
  readonly timing?: { readonly ttlMs?: number; readonly renewEveryMs?: number; readonly timers?: LeaseTimers };
}

/** The role, attached to `xmpp`; stop it after the stream closed, so the lease is free only once this one left. */
export function instanceRole(
  xmpp: Client,
  presence: Presence,
  options: InstanceRoleOptions,
): Component & { readonly leadership: Leadership } {
  const leadership = new Leadership({
    lease: options.lease,
    holder: options.resource,
    log: options.log,
    events: options.events,
    ...options.timing,
    onRole: (role) => void presence.setPriority(role === "leader" ? LEADER_PRIORITY : FOLLOWER_PRIORITY),
  });
  let firstTry: Promise<void> = Promise.resolve();
  xmpp.on("online", () => {
    firstTry = leadership.campaign();
  });
  // The first presence of a login waits for the first try (bounded): a leader is announced at once as one.
  presence.announceAfter(() => settledOrAfter(firstTry, FIRST_TRY_WAIT_MS));
  // Offline, it cannot answer: another instance should lead.
  xmpp.on("disconnect", () => void leadership.resign());
  return { leadership, stop: () => leadership.resign() };
}
