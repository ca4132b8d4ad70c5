/**
 * The invite an invite link opens (docs/web.md, "Pages"): whether an invite can still be used is decided here, and
 * only here. The store keeps and finds records; an unknown, expired, revoked, used-up or made-up token are all the
 * same answer, so nothing tells them apart.
 */
import { InviteError } from "../errors.js";
import { type Clock, nowSeconds, systemClock } from "./expiry.js";
import { guarded } from "./guarded.js";
import { maxUsesOf } from "./record.js";
import type { InviteStore, StoredInvite } from "./store.js";
import { isPlausibleToken } from "./token.js";

/** A stored invite that can still be used, with the token of its link. */
export interface UsableInvite extends StoredInvite {
  readonly token: string;
}

/** Whether a stored invite can still be used at `now` (unix seconds): not expired, and a counted one not at its cap. */
export function isUsable(stored: StoredInvite, now: number): boolean {
  const max = maxUsesOf(stored.record);
  return stored.record.expires > now && (max === undefined || stored.used < max);
}

export class InviteLinks {
  readonly #store: Pick<InviteStore, "findByToken">;
  readonly #clock: Clock;

  constructor(store: Pick<InviteStore, "findByToken">, clock: Clock = systemClock) {
    this.#store = store;
    this.#clock = clock;
  }

  /**
   * The pending invite for this token, if it can still be used; otherwise InviteError `invite-not-usable`, or
   * `store-unavailable`. A token that cannot be one is refused without asking the store.
   */
  async pendingInviteFor(token: string): Promise<UsableInvite> {
    const stored = isPlausibleToken(token) ? await guarded(() => this.#store.findByToken(token)) : undefined;
    if (stored === undefined || !isUsable(stored, nowSeconds(this.#clock))) throw new InviteError("invite-not-usable");
    return { ...stored, token };
  }
}
