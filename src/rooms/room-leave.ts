/**
 * Leaving a circle's group chats (docs/circles.md): the affiliation `none` (XEP-0045 §9.4, as the room's owner or
 * admin), so a member who left the circle is off the members-only list. A room that refuses is logged.
 */
import { type Element, xml } from "@xmpp/xml";
import type { RoomMemberships } from "../circles/room-memberships.js";
import type { Logger } from "../logger.js";
import { NS } from "../xmpp/namespaces.js";

export function noneIq(room: string, jid: string): Element {
  return xml(
    "iq",
    { type: "set", to: room },
    xml("query", { xmlns: NS.mucAdmin }, xml("item", { affiliation: "none", jid })),
  );
}

export function roomLeaver(deps: { request: (iq: Element) => Promise<Element>; log: Logger }): RoomMemberships {
  return {
    async leave(rooms, jid) {
      for (const room of rooms) {
        const answer = await deps.request(noneIq(room, jid)).catch((error: unknown) => error as Error);
        if (answer instanceof Error || answer.attrs.type !== "result") {
          deps.log.warn("Could not take a former circle member off a group chat's members", {
            room,
            jid,
            error: answer instanceof Error ? answer.message : answer.getChild("error")?.toString(),
          });
        }
      }
    },
  };
}
