/**
 * The limits of non-admins' invites (README, "Users' invites"): so many per rolling period
 * (INVITE_QUOTA per INVITE_QUOTA_PERIOD), so many pending at once (INVITE_MAX_PENDING); and for an invite that
 * registers, an account old enough (INVITE_MIN_ACCOUNT_AGE), a whole invite tree within its budget
 * (INVITE_TREE_MAX) and a chain that grows no faster than its pace (INVITE_CHAIN_PACE, ejabberd's rule). Checked
 * and taken in one step by the store, so that parallel requests and several bot instances cannot pass them. Admins
 * are exempt, and the tree rules stop at them: an admin's invitee is the top of a tree of its own.
 */
import { randomUUID } from "node:crypto";
import { InviteError } from "../errors.js";
import { type Clock, describeDuration, describeWhen, nowSeconds } from "./expiry.js";
import { MAX_USES } from "./options.js";
import type { Actor, Policy } from "./permissions.js";
import {
  type QuotaClaim,
  type QuotaDecision,
  QuotaRefusedError,
  type QuotaRules,
  type QuotaStore,
  reservationMember,
} from "./store.js";

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
  /** The most uses a non-admin's invite may have; undefined = 1 (single use). */
  readonly userMaxUses?: number | undefined;
  /** At most this many accounts in a user's whole invite tree, pending registrations included; undefined = none. */
  readonly treeMax?: number | undefined;
  /** How long (seconds) after the inviter's own registration an account may invite new people; undefined = any. */
  readonly chainPaceSeconds?: number | undefined;
  /** Whose the admins are: exempt, and where the tree rules stop going up. */
  readonly policy: Pick<Policy, "admins">;
  readonly clock: Clock;
}

/** How long `actor`'s invite lasts: a non-admin's no longer than the policy allows. */
export function lifetimeFor(deps: Pick<QuotaDeps, "ttlSeconds" | "userMaxTtlSeconds">, actor: Actor): number {
  return actor.isAdmin ? deps.ttlSeconds : Math.min(deps.ttlSeconds, deps.userMaxTtlSeconds ?? Infinity);
}

/**
 * The uses `actor` asked for (1 unless asked), if allowed: a non-admin's at most userMaxUses, an admin's MAX_USES
 * (options.ts, the account invite's choice).
 */
export function usesFor(deps: QuotaDeps, actor: Actor, asked: number | undefined): number {
  const most = actor.isAdmin ? MAX_USES : (deps.userMaxUses ?? 1);
  if (asked === undefined || (Number.isInteger(asked) && asked >= 1 && asked <= most)) return asked ?? 1;
  throw new InviteError("invite-uses-too-many", { params: { limit: String(most) } });
}

/** What withinQuota needs to know of the invite it is asked for. */
export interface InviteToCome {
  /** How long it will last, for when a place whose invite is being made frees up. */
  readonly lifetimeSeconds?: number;
  /** Whether it can register a new account: only such invites meet the account age and the tree rules. */
  readonly newPeople?: boolean;
  /** How many accounts it can register (its uses); 1 unless said. */
  readonly uses?: number;
}

/**
 * Non-admins: a place under each limit, claimed by `create` in the step that saves the invite (InviteStore.save),
 * given back if creating fails after that. Refused: which limit, and when a place frees up (`invite`: what is known
 * of the invite to come).
 */
export async function withinQuota<T>(
  deps: QuotaDeps,
  actor: Actor,
  create: (claim?: QuotaClaim) => Promise<T>,
  invite: InviteToCome = {},
): Promise<T> {
  const { quota, maxPending, store } = deps;
  const rules = rulesFor(deps, invite);
  const limited = [quota, maxPending, rules.minAccountAgeMs, rules.treeMax, rules.chainPaceMs];
  if (actor.isAdmin || limited.every((limit) => limit === undefined)) return create();
  const member = reservationMember(randomUUID(), rules.uses ?? 1);
  try {
    return await create({ subject: actor.jid, rules, member });
  } catch (error) {
    if (error instanceof QuotaRefusedError) throw refusal(deps, error.decision);
    await store.release(actor.jid, member).catch(() => {});
    throw error;
  }
}

/** What the requester is told of a refusal: which limit, and when the next invite is possible. */
function refusal(deps: QuotaDeps, decision: Extract<QuotaDecision, { allowed: false }>): InviteError {
  const retryAt = describeWhen(Math.ceil(decision.retryAtMs / 1000), nowSeconds(deps.clock));
  switch (decision.rule) {
    case "account-age":
      return new InviteError("account-too-new", {
        params: { retryAt, period: describeDuration(deps.minAccountAgeSeconds ?? 0) },
      });
    case "tree": {
      const when = decision.retryAtMs === 0 ? {} : { retryAt };
      return new InviteError("invite-tree-full", { params: { ...when, limit: String(deps.treeMax) } });
    }
    case "pace":
      return new InviteError("invite-chain-too-fast", {
        params: { retryAt, period: describeDuration(deps.chainPaceSeconds ?? 0) },
      });
    case "pending":
      return new InviteError("pending-invites-exceeded", { params: { retryAt, limit: String(deps.maxPending) } });
    case "period": {
      const period = describePeriod(deps.quotaPeriodSeconds ?? DEFAULT_QUOTA_PERIOD_SECONDS);
      return new InviteError("quota-exceeded", { params: { retryAt, period } });
    }
  }
}

/** The store's rules for this invite: the age and tree rules only for one that registers. */
function rulesFor(deps: QuotaDeps, invite: InviteToCome): QuotaRules {
  const { lifetimeSeconds, newPeople = false, uses = 1 } = invite;
  const positive = (seconds: number | undefined) => (seconds !== undefined && seconds > 0 ? seconds : undefined);
  const minAge = newPeople ? positive(deps.minAccountAgeSeconds) : undefined;
  const pace = newPeople ? positive(deps.chainPaceSeconds) : undefined;
  return {
    limit: deps.quota,
    windowMs: (deps.quotaPeriodSeconds ?? DEFAULT_QUOTA_PERIOD_SECONDS) * 1000,
    maxPending: deps.maxPending,
    ...(lifetimeSeconds === undefined ? {} : { lifetimeMs: lifetimeSeconds * 1000 }),
    ...(minAge === undefined ? {} : { minAccountAgeMs: minAge * 1000 }),
    ...(pace === undefined ? {} : { chainPaceMs: pace * 1000 }),
    ...(newPeople && deps.treeMax !== undefined ? { treeMax: deps.treeMax } : {}),
    uses: newPeople ? uses : 0,
    exempt: [...deps.policy.admins],
  };
}

/** "24 hours" rather than "1 day" for the usual quota, as people say it; otherwise as an expiry reads. */
function describePeriod(seconds: number): string {
  const hours = seconds / 3600;
  return Number.isInteger(hours) && hours >= 2 && hours <= 48 ? `${hours} hours` : describeDuration(seconds);
}
