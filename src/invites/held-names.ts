/**
 * Usernames held for bound invites (docs/storage.md, "Usernames held for bound invites"): while an invite bound to
 * `bob` (XEP-0445) is pending, no other invite registers `bob` and no second invite is bound to it (ejabberd's
 * "reserved" rule for its own invites). A password reset link holds nothing: its account exists, so the name is taken
 * anyway. The same rule as prosody/invites_redis_held.lib.lua. The rule is pure; the lookup is the store's (the
 * `for:LOCAL` index) and is a read before the claim or the save, not part of it (the docs say what that leaves).
 */
import { InviteError } from "../errors.js";
import { type Clock, nowSeconds, systemClock } from "./expiry.js";
import { guarded } from "./guarded.js";
import { NO_INVITE_CREATED } from "./quota.js";
import { boundLocalOf, type InviteRecord } from "./record.js";
import type { StoredInvite } from "./store.js";

/** The store's lookup: the pending invites bound to the username `local` (lower case), reset links included. */
export interface BoundInvites {
  boundTo(local: string): Promise<readonly StoredInvite[]>;
}

/** The username a record holds while it is pending: its bound name when it can register (never a reset link's). */
export function heldNameOf(record: InviteRecord): string | undefined {
  if (!record.allow_registration || record.additional_data?.allow_reset !== undefined) return undefined;
  return boundLocalOf(record);
}

/**
 * The invite among `invites` that holds `local` for someone else: pending at `now` (unix seconds) and bound to that name.
 * None when the invite `ownHash` (the one being used; none when an invite is being made) holds it itself: an invite
 * bound to `bob` registers `bob` even if, by mistake, another one is bound to `bob` too.
 */
export function holderOf(
  invites: readonly StoredInvite[],
  local: string,
  now: number,
  ownHash?: string,
): StoredInvite | undefined {
  const name = local.toLowerCase();
  const holders = invites.filter(({ record }) => record.expires > now && heldNameOf(record) === name);
  if (ownHash !== undefined && holders.some(({ hash }) => hash === ownHash)) return undefined;
  return holders[0];
}

/** Whether `local` is held for an invite other than `ownHash`; rejects when the store does not answer. */
export async function heldForAnother(
  store: BoundInvites,
  local: string,
  ownHash?: string,
  clock: Clock = systemClock,
): Promise<boolean> {
  return holderOf(await store.boundTo(local.toLowerCase()), local, nowSeconds(clock), ownHash) !== undefined;
}

/**
 * Refuses a new invite bound to `local` while another pending invite holds that name (InviteError
 * "username-held-by-invite"): two invites for one newcomer name would race for it. A store without the lookup holds
 * no names.
 */
export async function refuseHeldName(store: Partial<BoundInvites>, local: string, clock: Clock): Promise<void> {
  const { boundTo } = store;
  if (boundTo === undefined) return;
  const name = local.toLowerCase();
  const bound = await guarded(() => boundTo.call(store, name), NO_INVITE_CREATED);
  if (holderOf(bound, name, nowSeconds(clock)) !== undefined) {
    throw new InviteError("username-held-by-invite", { params: { username: local } });
  }
}
