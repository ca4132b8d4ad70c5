/**
 * Editing a pending invite (issue 23): a new expiry, and a new number of uses for a counted invite. Users edit their
 * own, admins any, within the limits creating one has (options.ts, creation.ts); one store call re-signs the record
 * with its TTL and index scores at once (store.ts, edit; docs/storage.md, "Editing an invite").
 */
import { InviteError } from "../errors.js";
import { type Clock, describeDuration, nowSeconds } from "./expiry.js";
import { guarded } from "./guarded.js";
import { EXPIRY_CHOICES, MAX_USES } from "./options.js";
import { PASSWORD_RESET_TTL } from "./password-reset.js";
import { type PendingInvite, toPending } from "./pending.js";
import type { Actor } from "./permissions.js";
import { lifetimeFor } from "./quota.js";
import type { InviteEdit, InviteStore } from "./store.js";

/** What a requester asks to change; what is left out stays. */
export interface InviteChange {
  /** Unix seconds: later than now, and no later than creating one would allow (longestLifetime). */
  readonly expiresAt?: number;
  /** From 1 to MAX_USES, above the uses already taken; only for counted invites. 1 makes it single use. */
  readonly maxUses?: number;
}

export interface EditingDeps {
  readonly store: Pick<InviteStore, "findById" | "edit">;
  readonly clock: Clock;
  /** The default lifetime (INVITE_TTL), and the longest a user's own invite may have (quota.ts, lifetimeFor). */
  readonly ttlSeconds: number;
  readonly userMaxTtlSeconds?: number | undefined;
}

/**
 * The longest lifetime, from now, that this requester may give an invite of this kind: what creating it allows. A
 * reset link keeps its one day (creation.ts); a user's invite the lifetime users' invites get (INVITE_TTL, at most
 * INVITE_USER_MAX_TTL); an admin may choose any lifetime of the account invite's choices (options.ts).
 */
export function longestLifetime(
  deps: Pick<EditingDeps, "ttlSeconds" | "userMaxTtlSeconds">,
  actor: Actor,
  kind: PendingInvite["kind"],
): number {
  if (kind === "reset") return Math.min(deps.ttlSeconds, PASSWORD_RESET_TTL);
  if (!actor.isAdmin) return lifetimeFor(deps, actor);
  return Math.max(deps.ttlSeconds, ...EXPIRY_CHOICES.map((choice) => choice.seconds));
}

/** Edits one visible pending invite by its short id; resolves with it as edited. */
export async function editInvite(
  deps: EditingDeps,
  actor: Actor,
  id: string,
  change: InviteChange,
): Promise<PendingInvite> {
  const { expiresAt, maxUses } = change;
  if (expiresAt === undefined && maxUses === undefined) throw new InviteError("invite-edit-empty");
  const now = nowSeconds(deps.clock);
  const found = await guarded(() => deps.store.findById(id));
  // Two tokens whose hashes start alike are one id (docs/storage.md, "Names"): the first visible one is edited.
  const pending = found
    .map((stored) => toPending(stored, now))
    .find((each) => each !== undefined && (actor.isAdmin || each.inviter === actor.jid));
  if (pending === undefined) throw new InviteError("invite-not-found");
  if (expiresAt !== undefined) checkExpiry(expiresAt, now, longestLifetime(deps, actor, pending.kind));
  if (maxUses !== undefined) checkUses(maxUses, pending, actor);
  const edit: InviteEdit = {
    ...(expiresAt === undefined ? {} : { expires: expiresAt }),
    ...(maxUses === undefined ? {} : { maxUses }),
  };
  const outcome = await guarded(() => deps.store.edit(pending.stored.hash, edit));
  if (!outcome.ok && outcome.reason === "used") {
    throw new InviteError("invite-uses-not-allowed", {
      params: { reason: "above the uses already taken: it was used meanwhile" },
    });
  }
  const edited = outcome.ok ? toPending(outcome.invite, now) : undefined;
  if (edited === undefined) throw new InviteError("invite-not-found");
  return edited;
}

function checkExpiry(expiresAt: number, now: number, longest: number): void {
  if (Number.isInteger(expiresAt) && expiresAt > now && expiresAt <= now + longest) return;
  throw new InviteError("invite-expiry-not-allowed", {
    params: { reason: `in the future, at most ${describeDuration(longest)} from now` },
  });
}

/**
 * Only a counted invite's cap changes (a single-use or uncounted invite keeps its kind), never to or below its uses;
 * a user's only down: more would register accounts its tree budget never counted (quota.ts).
 */
function checkUses(maxUses: number, pending: PendingInvite, actor: Actor): void {
  if (pending.maxUses === undefined) throw new InviteError("invite-uses-not-counted");
  const used = pending.stored.used;
  const least = used + 1;
  const most = actor.isAdmin ? MAX_USES : pending.maxUses;
  if (Number.isInteger(maxUses) && maxUses >= least && maxUses <= most) return;
  const taken = used === 0 ? "" : `: it has been used ${used} time${used === 1 ? "" : "s"}`;
  throw new InviteError("invite-uses-not-allowed", { params: { reason: `from ${least} to ${most}${taken}` } });
}
