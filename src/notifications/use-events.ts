/**
 * Invite use events, as the Prosody module (or the bot as the registration hook) records them (docs/storage.md,
 * "Use events"), and the sentences the bot sends about them. Pure.
 */
import { HOLD_WAYS, type HoldWay } from "../invites/approvals.js";
import type { UseEvent } from "../invites/store.js";
import { isInviteId } from "../invites/token.js";
import { parseRoomsField } from "../invites/use-rooms.js";
import { normaliseBareJid } from "../jid.js";
import { heldRecipients } from "./approval-notices.js";

/**
 * Controls, format characters (category Cf: U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, …) and the rest
 * of category C (surrogates, private use, unassigned), and line and paragraph separators. Prosody's nodeprep
 * (RFC 3920 Appendix A, RFC 3454 §5 tables C.2–C.9) keeps them out of every JID it makes; in a message they would
 * let an entry disguise whom it names.
 */
const HIDDEN_CHARACTERS = /[\p{C}\p{Zl}\p{Zp}]/u;

/**
 * Reads one stream entry of `host`'s stream; undefined for anything that is not a well-formed use event. Anyone who
 * can write to Redis can add entries, so every field that ends up in a message or a room invitation is checked
 * first (docs/storage.md, "Use events"), even in an entry whose tag verifies.
 */
export function parseUseEvent(
  id: string,
  fields: Readonly<Record<string, string>>,
  host: string,
): UseEvent | undefined {
  const { kind, invitee, inviter, invite, at, rooms, held } = fields;
  if (kind !== "registered" && kind !== "subscribed" && kind !== "joined") return undefined;
  if (held !== undefined && (kind !== "registered" || !HOLD_WAYS.includes(held as HoldWay))) return undefined;
  if ([invitee, inviter, invite, at, rooms].some((value) => value !== undefined && HIDDEN_CHARACTERS.test(value))) {
    return undefined;
  }
  const inviteeJid = invitee === undefined ? undefined : normaliseBareJid(invitee);
  if (inviteeJid === undefined) return undefined;
  const inviterJid = inviter ? normaliseBareJid(inviter) : undefined;
  if (inviter && inviterJid === undefined) return undefined;
  if (invite && !isInviteId(invite)) return undefined;
  if (at !== undefined && at !== "" && !/^\d{1,12}$/u.test(at)) return undefined;
  const roomJids = parseRoomsField(rooms, host);
  if (roomJids === undefined) return undefined;
  return {
    id,
    kind,
    inviter: inviterJid,
    invitee: inviteeJid,
    invite: invite || undefined,
    at: Number(at) || 0,
    rooms: roomJids,
    ...(held === undefined ? {} : { held: held as HoldWay }),
  };
}

/**
 * `circles`: the names of the circles the newcomer is in once registered or joined (docs/circles.md), in words.
 * `joined` is an account that existed before it opened the invite (contract: kind `joined`).
 */
export function inviterNotice(event: UseEvent, circles = ""): string {
  if (event.kind === "subscribed") return `${event.invitee} accepted your invite and is now your contact.`;
  if (circles !== "") return `${event.invitee} joined ${circles} through your invite.`;
  return event.kind === "joined"
    ? `${event.invitee} accepted your invite with the account they already had.`
    : `${event.invitee} accepted your invite and created an account.`;
}

/** The one message that stands for the notices a recipient got no more of in a window (consumer.ts). */
export function moreUsesNotice(count: number): string {
  return count === 1
    ? "…and 1 more invite was used just now (too many at once to tell each one)."
    : `…and ${count} more invites were used just now (too many at once to tell each one).`;
}

export function adminNotice(event: UseEvent, circles = ""): string {
  const whose = event.inviter === undefined ? "an invite made on the server" : `an invite from ${event.inviter}`;
  const invite = `${whose}${event.invite === undefined ? "" : ` (${event.invite})`}`;
  if (event.kind === "joined") {
    return circles === ""
      ? `${event.invitee}, who already had an account, accepted ${invite}.`
      : `${event.invitee} joined ${circles} through ${invite}.`;
  }
  const what = event.kind === "registered" ? "created an account with" : "became a contact through";
  const joined = circles === "" || event.kind !== "registered" ? "" : ` and joined ${circles}`;
  return `${event.invitee} ${what} ${invite}${joined}.`;
}

/**
 * Who hears about an event: the inviter, and admins when NOTIFY_ADMINS (each once); about a held account, every admin
 * and the inviter (approval-notices.ts).
 * The inviter only when they are a user of `host` or an admin: nobody else can make invites here,
 * so an entry naming anyone else was not written by the server.
 */
export function recipients(
  event: UseEvent,
  {
    admins,
    notifyAdmins,
    host,
    circles = "",
  }: { admins: ReadonlySet<string>; notifyAdmins: boolean; host: string; circles?: string },
): Map<string, string> {
  const out = new Map<string, string>();
  // A held account is every admin's question, NOTIFY_ADMINS or not (approval-notices.ts).
  if (event.held !== undefined) return heldRecipients(event, admins, host, out);
  if (notifyAdmins) for (const admin of admins) out.set(admin, adminNotice(event, circles));
  const inviter = event.inviter;
  if (inviter !== undefined && (inviter.endsWith(`@${host}`) || admins.has(inviter))) {
    out.set(inviter, inviterNotice(event, circles));
  }
  return out;
}
