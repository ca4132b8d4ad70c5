/**
 * Disabling the accounts of an invite tree (issue 25, point 2), for admins, e.g. after a spam wave through one
 * account's invites: every pending invite of the root and of its tree is revoked first (a disabled account's links
 * would otherwise still bring people in), then each account below the root is disabled, or locked where the server
 * cannot disable (account-control.ts says which). Never the root itself (it may be the admin's own or a trusted
 * account: disable its tree, then the root on its own with `disable user@domain`), never an admin, never the bot,
 * never an account of another domain. Each account's outcome is reported: one failure stops none of the others.
 */
import { InviteError } from "../errors.js";
import type { EventSink } from "../events.js";
import type { AccountControl, AccountOutcome, AccountSupport, BlockWay } from "./account-control.js";
import type { InviteEvents } from "./invite-events.js";
import type { Actor, Policy } from "./permissions.js";
import { type InviteTree, inviteTree, revokeIn, type TreeDeps } from "./tree.js";

/** Accounts whose XEP-0133 commands are in flight at once: a big tree must not flood the server. */
const BLOCK_CONCURRENCY = 4;

export interface AccountsDeps extends TreeDeps {
  readonly policy: Policy;
  /** Absent: the bot cannot act on accounts at all (no XMPP session to run the commands over). */
  readonly control: AccountControl | undefined;
}

/** Why an account of the tree is left alone. */
export type SkipReason = "admin" | "bot" | "other-domain";

export interface TreeDisablePlan {
  readonly root: string;
  readonly way: BlockWay;
  /** The accounts that will be disabled or locked, nearest to the root first. */
  readonly accounts: readonly string[];
  readonly skipped: readonly { readonly jid: string; readonly reason: SkipReason }[];
  /** The tree was cut at TREE_MAX_ACCOUNTS: accounts past the cut are left alone. */
  readonly truncated: boolean;
}

export interface TreeDisabling extends TreeDisablePlan {
  /** Pending invites revoked first, of the root and of the whole tree. */
  readonly revoked: number;
  readonly done: readonly string[];
  readonly failed: readonly { readonly jid: string; readonly why: string }[];
}

async function supported(deps: AccountsDeps, actor: Actor): Promise<AccountSupport & { way: BlockWay }> {
  if (!actor.isAdmin) throw new InviteError("accounts-admins-only");
  const support: AccountSupport =
    deps.control === undefined
      ? { way: undefined, why: "act on accounts: it has no session to send commands over" }
      : await deps.control.support();
  if (support.way === undefined) throw new InviteError("accounts-unsupported", { params: { reason: support.why } });
  return support;
}

function skipReason(jid: string, policy: Policy): SkipReason | undefined {
  if (jid === policy.botJid) return "bot";
  if (policy.admins.has(jid)) return "admin";
  if (!jid.endsWith(`@${policy.domain}`)) return "other-domain";
  return undefined;
}

/** What disableTree would do, changing nothing: what a confirmation shows. */
async function planTreeDisable(deps: AccountsDeps, actor: Actor, root: string): Promise<TreeDisablePlan> {
  const { way } = await supported(deps, actor);
  return planOf(deps.policy, await inviteTree(deps, actor, root), way);
}

function planOf(policy: Policy, tree: InviteTree, way: BlockWay): TreeDisablePlan {
  const accounts: string[] = [];
  const skipped: { jid: string; reason: SkipReason }[] = [];
  for (const { jid } of tree.nodes) {
    const reason = skipReason(jid, policy);
    if (reason === undefined) accounts.push(jid);
    else skipped.push({ jid, reason });
  }
  return { root: tree.root, way, accounts, skipped, truncated: tree.truncated };
}

/** Revokes the tree's pending invites, then disables (or locks) its accounts; resolves with each one's outcome. */
async function disableTree(deps: AccountsDeps, actor: Actor, root: string): Promise<TreeDisabling> {
  const { way } = await supported(deps, actor);
  const tree = await inviteTree(deps, actor, root);
  const plan = planOf(deps.policy, tree, way);
  const { revoked } = await revokeIn(deps, tree);
  const control = deps.control as AccountControl;
  const done: string[] = [];
  const failed: { jid: string; why: string }[] = [];
  for (let at = 0; at < plan.accounts.length; at += BLOCK_CONCURRENCY) {
    const chunk = plan.accounts.slice(at, at + BLOCK_CONCURRENCY);
    const outcomes = await Promise.all(chunk.map((jid) => blockOne(control, jid, plan.way)));
    for (const [i, jid] of chunk.entries()) {
      const outcome = outcomes[i] as AccountOutcome;
      if (outcome.ok) done.push(jid);
      else failed.push({ jid, why: outcome.why });
    }
  }
  return { ...plan, revoked, done, failed };
}

/** A failure to ask is that account's outcome, not the end of the others. */
function blockOne(control: AccountControl, jid: string, way: BlockWay): Promise<AccountOutcome> {
  return control.block(jid, way).catch((error: unknown) => ({ ok: false, why: (error as Error).message }));
}

/** Admins: disables one account (the root of a tree, say), with the same exceptions as a tree. */
async function disableAccount(
  deps: AccountsDeps,
  actor: Actor,
  jid: string,
): Promise<AccountOutcome & { way: BlockWay }> {
  const { way } = await supported(deps, actor);
  const reason = skipReason(jid, deps.policy);
  if (reason !== undefined) return { ok: false, why: SKIP_WORDS[reason], way };
  return { ...(await blockOne(deps.control as AccountControl, jid, way)), way };
}

/** Admins: enables a disabled account again, where the server disables accounts (Prosody 13). */
async function enableAccount(deps: AccountsDeps, actor: Actor, jid: string): Promise<AccountOutcome> {
  const support = await supported(deps, actor);
  if (support.way === "lock" || !support.enable) {
    const reason =
      "enable accounts: it cannot disable them either, so a locked account is reopened with a password reset link";
    throw new InviteError("accounts-unsupported", { params: { reason } });
  }
  if (skipReason(jid, deps.policy) === "other-domain") return { ok: false, why: SKIP_WORDS["other-domain"] };
  return (deps.control as AccountControl)
    .enable(jid)
    .catch((error: unknown) => ({ ok: false, why: (error as Error).message }));
}

/** Why an account is left alone, in words. */
export const SKIP_WORDS: Readonly<Record<SkipReason, string>> = {
  admin: "an administrator",
  bot: "the bot's own account",
  "other-domain": "not an account of this server",
};

/** The accounts of trees as InviteService offers them (`service.accounts`): admins only, each call checked. */
export class TreeAccounts {
  constructor(
    private readonly deps: AccountsDeps,
    private readonly events: EventSink<InviteEvents>,
  ) {}

  /** What disableTree would do, changing nothing. */
  plan(actor: Actor, root: string): Promise<TreeDisablePlan> {
    return planTreeDisable(this.deps, actor, root);
  }

  async disableTree(actor: Actor, root: string): Promise<TreeDisabling> {
    const disabling = await disableTree(this.deps, actor, root);
    this.events.emit("invites-revoked", { count: disabling.revoked, by: actor.jid });
    return disabling;
  }

  disable(actor: Actor, jid: string): Promise<AccountOutcome & { readonly way: BlockWay }> {
    return disableAccount(this.deps, actor, jid);
  }

  enable(actor: Actor, jid: string): Promise<AccountOutcome> {
    return enableAccount(this.deps, actor, jid);
  }
}
