/** How circles read in chat and in ad-hoc notes (docs/circles.md). */
import type { Circle, CircleWithMembers } from "../circles/circle.js";
import type { RoomAdded } from "../circles/circle-chats.js";

/** Members shown in one line before the rest are counted. */
const MEMBERS_SHOWN = 20;

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function membersText(members: readonly string[]): string {
  if (members.length === 0) return "no members yet";
  const shown = members.slice(0, MEMBERS_SHOWN).join(", ");
  const more = members.length - MEMBERS_SHOWN;
  return `${plural(members.length, "member")}: ${shown}${more > 0 ? ` and ${more} more` : ""}`;
}

export function roomsText(rooms: readonly string[]): string {
  return rooms.length === 0 ? "no group chats" : `group chats: ${rooms.join(", ")}`;
}

/** One circle: "Family (id AbCdEfGhIjKl): 3 members: …; group chats: …". */
export function circleLine(circle: CircleWithMembers): string {
  return `${circle.name} (id ${circle.id}): ${membersText(circle.members)}; ${roomsText(circle.rooms)}`;
}

export function circlesReply(circles: readonly CircleWithMembers[], admin: boolean): string {
  if (circles.length === 0) {
    return admin
      ? 'There are no circles yet. Say "circle create NAME" to make one.'
      : "You are not a member of any circle.";
  }
  const heading = admin ? `Circles (${circles.length}):` : `Your circles (${circles.length}):`;
  return [heading, ...circles.map((circle) => `• ${circleLine(circle)}`)].join("\n");
}

/** What an admin reads after a change: the circle as it is now. */
export function changedReply(what: string, circle: Circle, members?: readonly string[]): string {
  const detail =
    members === undefined ? roomsText(circle.rooms) : `${membersText(members)}; ${roomsText(circle.rooms)}`;
  return `${what} ${circle.name} (id ${circle.id}) now has ${detail}.`;
}

/** "its 3 members are members of it": who of the circle is on a chat's member list now. */
function membersOfRoom(count: number): string {
  if (count === 0) return "the circle has no members yet";
  return count === 1 ? "its 1 member is a member of it" : `its ${count} members are members of it`;
}

/** One sentence per chat new to the circle: "Created the group chat kitchen@… for Family; its 3 members …". */
export function roomsAddedText(circle: Circle, added: readonly RoomAdded[]): string {
  return added
    .map(({ room, created, members }) =>
      created
        ? `Created the group chat ${room} for ${circle.name}; ${membersOfRoom(members)}.`
        : `Added the group chat ${room} to ${circle.name}; ${membersOfRoom(members)}.`,
    )
    .join(" ");
}

/** After a change: what was done for the circle's new chats, else the circle as it is now. */
export function roomsReply(what: string, circle: Circle & { readonly roomsAdded: readonly RoomAdded[] }): string {
  return circle.roomsAdded.length > 0 ? roomsAddedText(circle, circle.roomsAdded) : changedReply(what, circle);
}
