/** What an admin asks of a circle (src/circles/service.ts), and the circle that comes back. */
import type { Circle, CircleWithMembers } from "./circle.js";
import type { RoomAdded } from "./circle-chats.js";

/** What a new circle starts with besides its name. */
export interface NewCircle {
  readonly members?: readonly string[];
  /** Rooms' addresses, or names alone (circle-chats.ts). */
  readonly rooms?: readonly string[];
}

/** What an edit makes of a circle; a part left out stays as it is. */
export interface CircleEdit extends NewCircle {
  readonly name?: string;
}

/** A circle after a change, with what was done for each chat new to it. */
export interface ChangedCircle extends CircleWithMembers {
  readonly roomsAdded: readonly RoomAdded[];
}

export function withoutMembers({ members: _members, ...circle }: CircleWithMembers): Circle {
  return circle;
}
