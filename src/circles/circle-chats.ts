/**
 * A circle's group chats as an admin names them (docs/circles.md): a room's full address, or a name alone
 * ("Kitchen"), which becomes kitchen@ the MUC service. A chat new to a circle is made ready first (created, or
 * checked to be the bot's to manage: src/circles/room-setup.ts), and the circle's members become its members
 * (XEP-0045 §9.3), so that the circle and its chat have the same people.
 */
import { InviteError } from "../errors.js";
import { circleNameOf } from "./circle.js";
import type { RoomSetup } from "./room-setup.js";
import { validRoom } from "./rules.js";

/** A room an admin asked for: its address, and the name it gets when the bot creates it from a name alone. */
export interface WantedRoom {
  readonly jid: string;
  readonly title?: string;
}

/** What was done for a chat new to a circle. */
export interface RoomAdded {
  readonly room: string;
  /** The bot created it (else it existed, with the bot as its owner or admin). */
  readonly created: boolean;
  /** How many of the circle's members are on its member list. */
  readonly members: number;
}

/** Room local parts made from names stay short enough to read and type. */
const LOCAL_PART_MAX = 64;

/**
 * The local part of the room a name gives: lower case, accents dropped, spaces as "-", only a-z, 0-9, "-", "_"
 * and "." (characters every MUC service takes in a room's address, RFC 7622 §3.3); undefined when nothing is left.
 */
export function roomLocalPart(name: string): string | undefined {
  const local = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .trim()
    .replace(/\s+/gu, "-")
    .replace(/[^a-z0-9._-]/gu, "")
    .replace(/-{2,}/gu, "-")
    .slice(0, LOCAL_PART_MAX)
    .replace(/^[._-]+|[._-]+$/gu, "");
  return local === "" ? undefined : local;
}

export class CircleChats {
  readonly #setup: RoomSetup | undefined;
  readonly #domain: string;

  constructor(setup: RoomSetup | undefined, domain: string) {
    this.#setup = setup;
    this.#domain = domain;
  }

  /** The rooms `texts` name, each once, in order; throws (changing nothing) for one that cannot be a room. */
  async wanted(texts: readonly string[]): Promise<WantedRoom[]> {
    const rooms = new Map<string, WantedRoom>();
    for (const text of texts) {
      const room = text.includes("@") ? { jid: validRoom(text, this.#domain) } : await this.#named(text);
      if (!rooms.has(room.jid)) rooms.set(room.jid, room);
    }
    return [...rooms.values()];
  }

  /**
   * Makes each room ready for the circle and its `members` members of it, in order; without a group chat
   * service to speak to (tests, other adapters) the rooms are only named. Throws at the first room that refuses.
   */
  async bring(
    rooms: readonly WantedRoom[],
    circle: { readonly name: string; readonly members: readonly string[] },
  ): Promise<RoomAdded[]> {
    const setup = this.#setup;
    if (setup === undefined) return [];
    const added: RoomAdded[] = [];
    for (const { jid, title } of rooms) {
      const description = `Group chat of the circle ${circle.name}`;
      const made = await setup.prepare(jid, { title: title ?? circle.name, description });
      if (circle.members.length > 0) await setup.addMembers(jid, circle.members);
      added.push({ room: jid, created: made === "created", members: circle.members.length });
    }
    return added;
  }

  /**
   * Puts `jid`, who joined the circle just now, on the member lists of its `rooms` (each on its own: a room that
   * refuses is the adapter's to log, and keeps nobody out of the circle); the rooms that took them.
   */
  async admit(rooms: readonly string[], jid: string): Promise<string[]> {
    const setup = this.#setup;
    if (setup === undefined) return [];
    const admitted: string[] = [];
    for (const room of rooms) {
      const took = await setup.addMembers(room, [jid]).then(
        () => true,
        () => false,
      );
      if (took) admitted.push(room);
    }
    return admitted;
  }

  async #named(text: string): Promise<WantedRoom> {
    const local = roomLocalPart(text);
    if (local === undefined) throw new InviteError("circle-room-name-invalid", { params: { name: text.trim() } });
    const service = await this.#setup?.service();
    if (service === undefined) throw new InviteError("circle-no-muc-service");
    return { jid: validRoom(`${local}@${service}`, this.#domain), title: circleNameOf(text) ?? local };
  }
}
