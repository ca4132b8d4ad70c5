/**
 * The group chats' side of a circle's membership (docs/circles.md): whoever leaves a circle leaves the member
 * lists of its group chats. A port, so the domain needs no XMPP (src/rooms/room-leave.ts implements it).
 */
export interface RoomMemberships {
  /** Takes `jid`'s membership in each of `rooms` away; a room that refuses is the adapter's to report. */
  leave(rooms: readonly string[], jid: string): Promise<void>;
}
