/** What may be in a circle (docs/circles.md): each refusal is an InviteError of the catalogue. */
import { InviteError } from "../errors.js";
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

/** A group chat is a room (a bare JID) of a service other than the domain's accounts (XEP-0045). */
export function validRoom(text: string, domain: string): string {
  const jid = normaliseBareJid(text.trim());
  if (jid === undefined || jid.endsWith(`@${domain}`)) throw new InviteError("circle-room-invalid");
  return jid;
}
