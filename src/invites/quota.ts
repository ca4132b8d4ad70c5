/**
 * The limits of non-admins' invites (README, "Users' invites"): so many per rolling period
 * (INVITE_QUOTA per INVITE_QUOTA_PERIOD), so many pending at once (INVITE_MAX_PENDING), and an account old enough
 * to invite new people (INVITE_MIN_ACCOUNT_AGE), checked and taken in one step by the store, so that parallel
 * requests and several bot instances cannot pass them. Admins are exempt.
 */
import { randomUUID } from "node:crypto";
import { InviteError } from "../errors.js";
import { type Clock, describeDuration, describeWhen, nowSeconds } from "./expiry.js";
import { guarded } from "./guarded.js";
import type { Actor } from "./permissions.js";
import type { QuotaStore, Reservation } from "./store.js";

/** INVITE_QUOTA_PERIOD's default: a rolling 24 hours. */
export const DEFAULT_QUOTA_PERIOD_SECONDS = 86_400;

/** What a failure to reach the store while creating says did not happen. */
export const NO_INVITE_CREATED = "no invite was created";

export interface QuotaDeps {
  readonly store: QuotaStore;
  /** Invites a non-admin may create per period; undefined = no limit. */
  readonly quota: number | undefined;
  /** The rolling period of `quota`, in seconds (DEFAULT_QUOTA_PERIOD_SECONDS unless set). */
  readonly quotaPeriodSeconds?: number;
  /** Invites a non-admin may have pending at once; undefined = no limit. */
  readonly maxPending?: number | undefined;
  /** How old (seconds) an account must be to invite new people; undefined or 0 = any age. */
  readonly minAccountAgeSeconds?: number | undefined;
  /** An invite's lifetime unless chosen (INVITE_TTL), and the longest a non-admin's lasts; undefined = no cap. */
  readonly ttlSeconds: number;
  readonly userMaxTtlSeconds?: number | undefined;
  readonly clock: Clock;
}

/** How long `actor`'s invite lasts: a non-admin's no longer than the policy allows. */
export function lifetimeFor(deps: QuotaDeps, actor: Actor): number {
  return actor.isAdmin ? deps.ttlSeconds : Math.min(deps.ttlSeconds, deps.userMaxTtlSeconds ?? Infinity);
}

/** What withinQuota needs to know of the invite it is asked for. */
export interface InviteToCome {
  /** How long it will last, for when a place whose invite is being made frees up. */
  readonly lifetimeSeconds?: number;
  /** Whether it can register a new account: only such invites wait for the inviter's account to be old enough. */
  readonly newPeople?: boolean;
}

/**
 * Non-admins: a place under each limit, taken for `create`, which saves the invite under the reservation it is
 * given (InviteStore.save), and given back if creating fails. Refused: which limit, and when a place frees up
 * (`invite`: what is known of the invite to come).
 */
export async function withinQuota<T>(
  deps: QuotaDeps,
  actor: Actor,
  create: (reservation?: Reservation) => Promise<T>,
  invite: InviteToCome = {},
): Promise<T> {
  const { quota, maxPending, store } = deps;
  const { lifetimeSeconds, newPeople = false } = invite;
  const minAge = newPeople && (deps.minAccountAgeSeconds ?? 0) > 0 ? deps.minAccountAgeSeconds : undefined;
  if (actor.isAdmin || (quota === undefined && maxPending === undefined && minAge === undefined)) return create();
  const periodSeconds = deps.quotaPeriodSeconds ?? DEFAULT_QUOTA_PERIOD_SECONDS;
  const member = randomUUID();
  const rules = {
    limit: quota,
    windowMs: periodSeconds * 1000,
    maxPending,
    ...(lifetimeSeconds === undefined ? {} : { lifetimeMs: lifetimeSeconds * 1000 }),
    ...(minAge === undefined ? {} : { minAccountAgeMs: minAge * 1000 }),
  };
  const decision = await guarded(() => store.reserve(actor.jid, rules, member), NO_INVITE_CREATED);
  if (!decision.allowed) {
    const retryAt = describeWhen(Math.ceil(decision.retryAtMs / 1000), nowSeconds(deps.clock));
    if (decision.rule === "account-age") {
      throw new InviteError("account-too-new", { params: { retryAt, period: describeDuration(minAge ?? 0) } });
    }
    if (decision.rule === "pending") {
      throw new InviteError("pending-invites-exceeded", { params: { retryAt, limit: String(maxPending) } });
    }
    throw new InviteError("quota-exceeded", { params: { retryAt, period: describePeriod(periodSeconds) } });
  }
  try {
    return await create({ subject: actor.jid, member });
  } catch (error) {
    await store.release(actor.jid, member).catch(() => {});
    throw error;
  }
}

/** "24 hours" rather than "1 day" for the usual quota, as people say it; otherwise as an expiry reads. */
function describePeriod(seconds: number): string {
  const hours = seconds / 3600;
  return Number.isInteger(hours) && hours >= 2 && hours <= 48 ? `${hours} hours` : describeDuration(seconds);
}
