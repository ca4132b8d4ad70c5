/**
 * What the circles need of a group chat service (XEP-0045) to give a circle a chat: where a room named only by a
 * name goes, the room made (or found) with the bot as its owner or admin, and the circle's members on its member
 * list. A port, so the domain needs no XMPP (src/rooms/room-setup.ts implements it).
 */
export interface RoomDetails {
  /** The room's name (muc#roomconfig_roomname). */
  readonly title: string;
  /** The room's description (muc#roomconfig_roomdesc). */
  readonly description: string;
}

export interface RoomSetup {
  /** The MUC service a room named by a name alone is made on (MUC_SERVICE, or found); undefined when none. */
  service(): Promise<string | undefined>;
  /**
   * Creates `room` (XEP-0045 §10.1: persistent, members-only, not public, with `details`) when it does not exist,
   * or checks that the bot is its owner or admin; rejects with an InviteError of the catalogue when neither.
   */
  prepare(room: string, details: RoomDetails): Promise<"created" | "existing">;
  /** Makes each of `jids` that has no affiliation in `room` a `member` (§9.3); rejects with an InviteError. */
  addMembers(room: string, jids: readonly string[]): Promise<void>;
}
