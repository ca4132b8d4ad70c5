/** What may be in a circle (docs/circles.md): each refusal is an InviteError of the catalogue. */
import { InviteError } from "../errors.js";
import { validRoomJid } from "../invites/circle-choice.js";
import { normaliseBareJid } from "../jid.js";
import { circleNameOf } from "./circle.js";

export function validCircleName(text: string): string {
  const name = circleNameOf(text);
  if (name === undefined) throw new InviteError("circle-name-invalid");
  return name;
}

/** A member is an account of the domain, as a normalised bare JID. */
export function validMember(text: string, domain: string): string {
  const jid = normaliseBareJid(text.trim());
  if (jid === undefined || !jid.endsWith(`@${domain}`)) throw new InviteError("circle-member-not-local");
  return jid;
}

/** A group chat is a room of another service (the invites' rule: a room on an invite is the same). */
export const validRoom = validRoomJid;
