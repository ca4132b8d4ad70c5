/**
 * Invite use events, as the Prosody module records them (docs/storage.md,
 * "Events"), and the sentences the bot sends about them. Pure.
 */

export interface UseEvent {
  readonly id: string;
  readonly kind: "registered" | "subscribed";
  /** Bare JID of the invite's maker, when known. */
  readonly inviter: string | undefined;
  readonly invitee: string;
  /** Short invite id (never the token). */
  readonly invite: string | undefined;
  /** Unix seconds. */
  readonly at: number;
}

/** Reads one stream entry; undefined for anything that is not a use event. */
export function parseUseEvent(id: string, fields: Readonly<Record<string, string>>): UseEvent | undefined {
  const { kind, invitee } = fields;
  if ((kind !== "registered" && kind !== "subscribed") || !invitee) return undefined;
  return {
    id,
    kind,
    inviter: fields.inviter || undefined,
    invitee,
    invite: fields.invite || undefined,
    at: Number(fields.at) || 0,
  };
}

export function inviterNotice(event: UseEvent): string {
  return event.kind === "registered"
    ? `${event.invitee} accepted your invite and created an account.`
    : `${event.invitee} accepted your invite and is now your contact.`;
}

export function adminNotice(event: UseEvent): string {
  const whose = event.inviter === undefined ? "an invite made on the server" : `an invite from ${event.inviter}`;
  const what = event.kind === "registered" ? "created an account with" : "became a contact through";
  return `${event.invitee} ${what} ${whose}${event.invite === undefined ? "" : ` (${event.invite})`}.`;
}

/** Who hears about an event: the inviter, and admins when NOTIFY_ADMINS (each once). */
export function recipients(event: UseEvent, admins: ReadonlySet<string>, notifyAdmins: boolean): Map<string, string> {
  const out = new Map<string, string>();
  if (notifyAdmins) for (const admin of admins) out.set(admin, adminNotice(event));
  if (event.inviter !== undefined) out.set(event.inviter, inviterNotice(event));
  return out;
}
