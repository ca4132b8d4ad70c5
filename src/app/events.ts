/**
 * The app's events (src/events.ts): every part's map joined, on one `Events` the app passes down as each part's
 * sink and hands out as `app.events`. Tests await these instead of reading log lines; logs stay for people.
 */
import type { CircleEvents } from "../circles/circle-events.js";
import { Events } from "../events.js";
import type { InviteEvents } from "../invites/invite-events.js";
import type { Logger } from "../logger.js";
import type { NotificationEvents } from "../notifications/consumer.js";
import type { RegistrationEvents } from "../registration/registrar.js";
import type { StorageEvents } from "../storage/backend.js";
import type { ConnectionEvents } from "../xmpp/connection.js";
import type { LeadershipEvents } from "./leadership.js";

export type AppEvents = ConnectionEvents &
  StorageEvents &
  InviteEvents &
  CircleEvents &
  RegistrationEvents &
  NotificationEvents &
  LeadershipEvents;

export function appEvents(log: Logger): Events<AppEvents> {
  return new Events<AppEvents>((error) =>
    log.warn("An event listener failed", { error: error instanceof Error ? error.message : String(error) }),
  );
}
