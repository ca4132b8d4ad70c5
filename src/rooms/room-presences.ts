/**
 * The bot's own presence in a room it enters (XEP-0045 §7.2.3, status code 110), or the room's error (§7.2.6 …),
 * waited for in xmpp.js's middleware chain like every other stanza. Other presences go on down the chain.
 */
import type { Client } from "@xmpp/client";
import type { Element } from "@xmpp/xml";
import { bareJid } from "../jid.js";
import { MUC } from "./muc-stanzas.js";

export interface RoomPresences {
  /** The next self-presence (or error) from `room` for `nick`, or undefined when none came within `ms`. */
  expect(room: string, nick: string, ms: number): Promise<Element | undefined>;
}

interface Waiter {
  readonly room: string;
  readonly nick: string;
  resolve(stanza: Element | undefined): void;
}

/** Whether `stanza` answers the bot's entering `room` as `nick`: its self-presence, or an error for that nick. */
function answersEntering(stanza: Element, { room, nick }: Waiter): boolean {
  const from = stanza.attrs.from ?? "";
  if (bareJid(from) !== room) return false;
  const sameNick = from.slice(from.indexOf("/") + 1).toLowerCase() === nick.toLowerCase();
  if (stanza.attrs.type === "error") return sameNick;
  if (stanza.attrs.type === "unavailable") return false;
  const codes = stanza.getChild("x", MUC.user)?.getChildren("status") ?? [];
  // §7.2.3: status 110 marks the self-presence even when the room changed the nick (§7.2.9, status 210).
  return codes.some((status) => status.attrs.code === "110") || sameNick;
}

export function roomPresences(xmpp: Client): RoomPresences {
  const waiters = new Set<Waiter>();
  xmpp.middleware.use((ctx, next) => {
    const { stanza } = ctx;
    if (!stanza.is("presence")) return next();
    const waiter = [...waiters].find((each) => answersEntering(stanza, each));
    if (waiter === undefined) return next();
    waiters.delete(waiter);
    waiter.resolve(stanza);
    return undefined;
  });
  return {
    expect(room, nick, ms) {
      return new Promise((resolve) => {
        const waiter: Waiter = {
          room: room.toLowerCase(),
          nick,
          resolve: (stanza) => {
            clearTimeout(timer);
            resolve(stanza);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(undefined);
        }, ms);
        waiters.add(waiter);
      });
    },
  };
}
