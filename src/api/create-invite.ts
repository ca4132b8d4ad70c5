/**
 * `POST /api/v1/invites`: the body → one call of InviteService, as the key's admin (docs/api.md). An account invite
 * takes every option of the ad-hoc form and is checked by the same rule (validateAccountInviteOptions); a contact
 * invite is made as the local user it names, so it registers and makes the newcomer that user's contact, within
 * that user's rights; a reset link is for one account of the domain.
 */
import type { AuthenticatedKey } from "../invites/api-key-service.js";
import type { CreatedInvite } from "../invites/invite.js";
import { EXPIRY_CHOICES, validateAccountInviteOptions } from "../invites/options.js";
import { actorFor } from "../invites/permissions.js";
import type { InviteService } from "../invites/service.js";
import { normaliseBareJid } from "../jid.js";
import { BodyProblems } from "./problems.js";

export type InviteKind = "account" | "contact" | "reset";

export interface CreateBody {
  readonly kind: InviteKind;
  readonly username?: string;
  readonly lifetime?: string;
  readonly uses?: number;
  readonly note?: string;
  readonly contact?: boolean;
  readonly circles?: readonly string[];
  readonly rooms?: readonly string[];
  readonly role?: string;
  readonly inviter?: string;
}

export type CreatingService = Pick<
  InviteService,
  "createAccountInvite" | "createContactInvite" | "createPasswordResetInvite" | "policy" | "ttlSeconds" | "usernameRule"
>;

/** The fields each kind takes; any other is refused, not ignored. */
const FIELDS: Readonly<Record<InviteKind, readonly string[]>> = {
  account: ["kind", "username", "lifetime", "uses", "note", "contact", "circles", "rooms", "role"],
  contact: ["kind", "inviter", "circles", "uses"],
  reset: ["kind", "username"],
};

function checkFields(body: CreateBody): void {
  const allowed = FIELDS[body.kind];
  const extra = Object.keys(body).filter((field) => !allowed.includes(field));
  if (extra.length > 0) {
    throw new BodyProblems(extra.map((field) => `"${field}" is not an option of a ${body.kind} invite`));
  }
}

export async function createInvite(
  service: CreatingService,
  key: AuthenticatedKey,
  body: CreateBody,
): Promise<CreatedInvite> {
  checkFields(body);
  // The admin's JID with the key's name as resource: who asked, in the record's `source` and the log.
  const source = `${key.actor.jid}/api-key:${key.key.name}`;
  if (body.kind === "contact") {
    const inviter = normaliseBareJid(body.inviter ?? "");
    if (inviter === undefined) throw new BodyProblems(['A contact invite needs "inviter", a JID (user@domain)']);
    return service.createContactInvite(actorFor(inviter, service.policy), source, {
      ...(body.circles === undefined ? {} : { circles: body.circles }),
      ...(body.uses === undefined ? {} : { maxUses: body.uses }),
    });
  }
  if (body.kind === "reset") {
    const { username } = body;
    if (username === undefined) throw new BodyProblems(['A reset link needs "username", the account to reset']);
    const account = username.includes("@") ? username : `${username}@${service.policy.domain}`;
    return service.createPasswordResetInvite(key.actor, source, account);
  }
  const lifetime = EXPIRY_CHOICES.find((choice) => choice.short === body.lifetime);
  const checked = validateAccountInviteOptions(
    {
      ...(body.username === undefined ? {} : { username: body.username }),
      ...(body.contact === undefined ? {} : { rosterSubscription: body.contact }),
      ...(lifetime === undefined ? {} : { ttlSeconds: lifetime.seconds }),
      ...(body.uses === undefined ? {} : { maxUses: String(body.uses) }),
      ...(body.note === undefined ? {} : { note: body.note }),
      ...(body.circles === undefined ? {} : { circles: body.circles }),
      ...(body.rooms === undefined ? {} : { rooms: body.rooms }),
      ...(body.role === undefined ? {} : { role: body.role }),
    },
    service.ttlSeconds,
    service.usernameRule,
  );
  if (checked.options === undefined) throw new BodyProblems(checked.problems);
  return service.createAccountInvite(key.actor, source, checked.options);
}
