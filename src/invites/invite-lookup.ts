/**
 * One pending invite by its short id, as lists show it (pending.ts): for the HTTP API's `GET /api/v1/invites/ID`.
 * The same visibility as revoking (management.ts): users see their own, admins everyone's.
 */
import { InviteError } from "../errors.js";
import { type Clock, nowSeconds } from "./expiry.js";
import { guarded } from "./guarded.js";
import { type PendingInvite, toPending } from "./pending.js";
import type { Actor } from "./permissions.js";
import type { InviteStore } from "./store.js";

export interface LookupDeps {
  readonly store: Pick<InviteStore, "findById">;
  readonly clock: Clock;
}

/** The pending invite with this id that the actor may see; invite-not-found when there is none. */
export async function findInvite(deps: LookupDeps, actor: Actor, id: string): Promise<PendingInvite> {
  const now = nowSeconds(deps.clock);
  const found = await guarded(() => deps.store.findById(id), "the invite cannot be shown");
  // Two tokens whose hashes start alike are one id (docs/storage.md, "Names"); the first visible one is shown.
  const visible = found
    .map((stored) => toPending(stored, now))
    .find((pending) => pending !== undefined && (actor.isAdmin || pending.inviter === actor.jid));
  if (visible === undefined) throw new InviteError("invite-not-found");
  return visible;
}
