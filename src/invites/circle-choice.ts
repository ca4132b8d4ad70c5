/**
 * Invites to circles (docs/circles.md): the invite names circles by id in `additional_data.groups`, as Prosody 13
 * names them, and group chats outside circles in `additional_data.rooms`. Which circles someone may invite to is
 * the circles' decision: this port is how creating an invite asks (src/circles/service.ts implements it).
 */
import { InviteError } from "../errors.js";
import { normaliseBareJid } from "../jid.js";
import type { Actor } from "./permissions.js";

export interface CircleChoice {
  /**
   * The ids of the circles `refs` name (ids, or names without case) that `actor` may invite to, in order, each
   * once; throws InviteError (circle-not-found, circle-ambiguous) for one that is not there or not theirs.
   */
  idsFor(actor: Actor, refs: readonly string[]): Promise<string[]>;
}

/** At most this many circles and group chats on one invite: a record stays small. */
export const MAX_INVITE_CIRCLES = 10;
export const MAX_INVITE_ROOMS = 10;

/** A group chat is a room (a bare JID) of a service other than the domain's accounts (XEP-0045). */
export function validRoomJid(text: string, domain: string): string {
  const jid = normaliseBareJid(text.trim());
  if (jid === undefined || jid.endsWith(`@${domain}`)) throw new InviteError("circle-room-invalid");
  return jid;
}

/** The circles (by id) and group chats a newcomer joins, as `actor` may choose them: what the record keeps. */
export async function joinsFor(
  choice: CircleChoice | undefined,
  domain: string,
  actor: Actor,
  { circles = [], rooms = [] }: { readonly circles?: readonly string[]; readonly rooms?: readonly string[] },
): Promise<{ groups: string[]; rooms: string[] }> {
  const checkedRooms = [...new Set(rooms.map((room) => validRoomJid(room, domain)))];
  if (circles.length === 0) return { groups: [], rooms: checkedRooms };
  if (choice === undefined) throw new InviteError("circle-not-found", { params: { name: circles[0] } });
  return { groups: await choice.idsFor(actor, circles), rooms: checkedRooms };
}
