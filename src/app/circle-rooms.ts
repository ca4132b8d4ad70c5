/**
 * The circles' group chats over the bot's session (docs/circles.md): leaving them when a member leaves a circle
 * (src/rooms/room-leave.ts), and creating or checking them, with their members, when a chat is added
 * (src/rooms/room-setup.ts).
 */
import type { Client } from "@xmpp/client";
import type { RoomMemberships } from "../circles/room-memberships.js";
import type { RoomSetup } from "../circles/room-setup.js";
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import { iqRequestOver } from "../registration/ways.js";
import { roomLeaver } from "../rooms/room-leave.js";
import { roomPresences } from "../rooms/room-presences.js";
import { roomSetup } from "../rooms/room-setup.js";

export function circleRooms(
  xmpp: Client,
  config: Config,
  log: Logger,
): { readonly rooms: RoomMemberships; readonly roomSetup: RoomSetup } {
  const request = iqRequestOver(xmpp);
  return {
    rooms: roomLeaver({ request, log }),
    roomSetup: roomSetup({
      request,
      send: (stanza) => xmpp.send(stanza),
      presences: roomPresences(xmpp),
      nick: config.xmpp.username,
      mucService: config.mucService,
      domain: config.xmpp.domain,
      log,
    }),
  };
}
