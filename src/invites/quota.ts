/** The quota of non-admins (INVITE_QUOTA): so many invites per rolling 24 hours, counted by the store. */
import { randomUUID } from "node:crypto";
import { InviteError } from "../errors.js";
import { type Clock, describeWhen, nowSeconds } from "./expiry.js";
import { guarded } from "./guarded.js";
import type { Actor } from "./permissions.js";
import type { QuotaStore } from "./store.js";

/** The quota window: a rolling 24 hours. */
export const QUOTA_WINDOW_MS = 86_400_000;

/** What a failure to reach the store while creating says did not happen. */
export const NO_INVITE_CREATED = "no invite was created";

export interface QuotaDeps {
  readonly store: QuotaStore;
  /** Invites a non-admin may create per rolling 24 hours; undefined = no limit. */
  readonly quota: number | undefined;
  readonly clock: Clock;
}

/** Non-admins: one place in the rolling 24-hour quota, given back if creating fails. */
export async function withinQuota<T>(deps: QuotaDeps, actor: Actor, create: () => Promise<T>): Promise<T> {
  const { quota, store } = deps;
  if (actor.isAdmin || quota === undefined) return create();
  const member = randomUUID();
  const decision = await guarded(() => store.reserve(actor.jid, quota, QUOTA_WINDOW_MS, member), NO_INVITE_CREATED);
  if (!decision.allowed) {
    const retryAt = describeWhen(Math.ceil(decision.retryAtMs / 1000), nowSeconds(deps.clock));
    throw new InviteError("quota-exceeded", { params: { retryAt } });
  }
  try {
    return await create();
  } catch (error) {
    await store.release(actor.jid, member).catch(() => {});
    throw error;
  }
}
