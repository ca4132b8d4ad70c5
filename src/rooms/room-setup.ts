/**
 * The circles' RoomSetup port (src/circles/room-setup.ts) over the bot's XMPP session: the MUC service
 * (muc-service.ts), a room created or checked (room-create.ts) and its members (room-members.ts). One room is set
 * up at a time: the bot enters each under one nickname, so two set-ups at once would read each other's answers.
 */
import type { Element } from "@xmpp/xml";
import type { RoomSetup } from "../circles/room-setup.js";
import type { Logger } from "../logger.js";
import { mucServiceFinder } from "./muc-service.js";
import type { IqRequest } from "./muc-stanzas.js";
import { prepareRoom } from "./room-create.js";
import { addRoomMembers } from "./room-members.js";
import type { RoomPresences } from "./room-presences.js";

/** How long a room may take to answer each step before the change is given up (nothing in the circle changes). */
const ROOM_TIMEOUT_MS = 10_000;

export interface RoomSetupDeps {
  readonly request: IqRequest;
  readonly send: (stanza: Element) => Promise<void>;
  readonly presences: RoomPresences;
  /** The bot's nickname while it sets a room up (its account's local part). */
  readonly nick: string;
  /** MUC_SERVICE, when set. */
  readonly mucService: string | undefined;
  readonly domain: string;
  readonly log: Logger;
  readonly timeoutMs?: number;
}

export function roomSetup(deps: RoomSetupDeps): RoomSetup {
  const timeoutMs = deps.timeoutMs ?? ROOM_TIMEOUT_MS;
  const service = mucServiceFinder({ ...deps, configured: deps.mucService });
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const done = queue.then(work, work);
    queue = done.catch(() => undefined);
    return done;
  };
  return {
    service,
    prepare: (room, details) => oneAtATime(() => prepareRoom({ ...deps, timeoutMs }, room, details)),
    addMembers: (room, jids) =>
      oneAtATime(() => addRoomMembers({ ...deps, timeoutMs }, room, jids)).catch((error: unknown) => {
        // Said here as well as to the caller: a member added to a circle later gets the chats without a reply.
        deps.log.warn("A group chat did not take new members", { room, error: (error as Error).message });
        throw error;
      }),
  };
}
