/**
 * The use-event reader of the app (src/notifications/consumer.ts): tells inviters, and admins with NOTIFY_ADMINS,
 * that an invite was used, over the bot's XMPP session. Only with a backend that carries the events.
 */
import type { Client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import type { Config } from "../config.js";
import type { EventSink } from "../events.js";
import type { Policy } from "../invites/permissions.js";
import type { Logger } from "../logger.js";
import { type NotificationEvents, UseEventConsumer } from "../notifications/consumer.js";
import { joinedCirclesFrom } from "../notifications/joined-circles.js";
import { iqRequestOver } from "../registration/ways.js";
import { welcomeToRooms } from "../rooms/room-welcome.js";
import type { StorageBackend } from "../storage/backend.js";

export interface UseNoticeOptions {
  readonly config: Config;
  readonly policy: Policy;
  readonly events: EventSink<NotificationEvents>;
  readonly log: Logger;
  /** Notices per recipient and window before a summary; tests shorten it. */
  readonly noticeCap: { readonly perWindow: number; readonly windowMs: number } | undefined;
}

export function useNotices(
  xmpp: Client,
  storage: StorageBackend,
  { config, policy, events, log, noticeCap }: UseNoticeOptions,
): UseEventConsumer | undefined {
  const stream = storage.events?.(config.xmpp.resource);
  if (stream === undefined) return undefined;
  const { stats } = storage;
  return new UseEventConsumer({
    stream,
    send: (to, text) => xmpp.send(xml("message", { to, type: "chat" }, xml("body", {}, text))),
    isOnline: () => xmpp.status === "online",
    admins: policy.admins,
    notifyAdmins: config.notifyAdmins,
    host: config.xmpp.domain,
    log: log.child({ part: "notify" }),
    events,
    joinedCircles: joinedCirclesFrom(storage.circles),
    ...(stats === undefined ? {} : { noteUse: (use) => stats.noteUse(use) }),
    welcome: (jid, circles, rooms) =>
      welcomeToRooms(
        {
          request: iqRequestOver(xmpp),
          send: (stanza) => xmpp.send(stanza),
          log: log.child({ part: "rooms" }),
        },
        jid,
        circles,
        rooms,
      ),
    ...(noticeCap === undefined ? {} : { noticeCap }),
  });
}
