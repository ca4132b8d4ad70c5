/**
 * How an invite tree reads in chat and in the ad-hoc result (issue 25, point 2): its counts, the accounts indented
 * two spaces a level with their pending invites and when they joined, the newest accounts; and what disabling its
 * accounts did, account by account.
 */
import type { AccountOutcome, BlockWay } from "../invites/account-control.js";
import type { DetailedNode, DetailedTree } from "../invites/tree-details.js";
import { SKIP_WORDS, type TreeDisablePlan, type TreeDisabling } from "../invites/tree-disable.js";

/** Lines of a tree a chat shows at most; the rest is counted. */
export const TREE_LINES = 100;
/** The newest accounts a chat names. */
const NEWEST_IN_CHAT = 5;

function plural(count: number, word: string): string {
  return `${count.toLocaleString("en-US")} ${word}${count === 1 ? "" : "s"}`;
}

/** "28 Nov 2026", UTC. */
export function dayOf(seconds: number): string {
  return new Date(seconds * 1000).toUTCString().slice(5, 16);
}

/** "28 Nov 2026 14:05 UTC". */
function momentOf(seconds: number): string {
  return `${new Date(seconds * 1000).toUTCString().slice(5, 22)} UTC`;
}

/** "3 accounts, 2 levels deep; 4 pending invites, 1 of them alice@example.org's own" */
export function treeCounts(tree: DetailedTree): string {
  const accounts = `${plural(tree.nodes.length, "account")}${tree.truncated ? " or more" : ""}`;
  const levels = `${tree.deepest} level${tree.deepest === 1 ? "" : "s"} deep`;
  const pending = tree.pending === 0 ? "no pending invites" : plural(tree.pending, "pending invite");
  const own = tree.pending === 0 ? "" : `, ${tree.rootPending.toLocaleString("en-US")} of them ${tree.root}'s own`;
  return `${accounts}, ${levels}; ${pending}${own}`;
}

/** "bob@example.org — 2 pending — joined 28 Nov 2026" */
export function nodeLine(node: DetailedNode): string {
  const pending = node.pending === 0 ? [] : [`${node.pending.toLocaleString("en-US")} pending`];
  const joined = node.joined === undefined ? [] : [`joined ${dayOf(node.joined)}`];
  return [node.jid, ...pending, ...joined].join(" — ");
}

export function newestLine(tree: DetailedTree, count = NEWEST_IN_CHAT): string | undefined {
  const newest = tree.newest.slice(0, count);
  if (newest.length === 0) return undefined;
  return `Newest accounts: ${newest.map((node) => `${node.jid} (${momentOf(node.joined as number)})`).join(", ")}.`;
}

/** The tree as chat shows it, capped at TREE_LINES account lines. */
export function treeReply(tree: DetailedTree): string {
  const { root, nodes, truncated } = tree;
  if (nodes.length === 0) {
    const pending = tree.rootPending === 0 ? "" : ` It has ${plural(tree.rootPending, "pending invite")}.`;
    return `${root} has not invited anyone who accepted yet.${pending}`;
  }
  const more = nodes.length - TREE_LINES;
  const newest = newestLine(tree);
  return [
    `Invite tree of ${root} (${treeCounts(tree)}):`,
    ...nodes.slice(0, TREE_LINES).map((node) => `${"  ".repeat(node.depth - 1)}• ${nodeLine(node)}`),
    ...(more > 0 ? [`… and ${more.toLocaleString("en-US")} more.`] : []),
    ...(newest === undefined ? [] : [newest]),
    ...(truncated
      ? [`The tree is larger than I read at once; only its first ${nodes.length} accounts are counted.`]
      : []),
  ].join("\n");
}

const DONE: Readonly<Record<BlockWay, string>> = { disable: "Disabled", ban: "Banned", lock: "Locked" };
const VERB: Readonly<Record<BlockWay, string>> = { disable: "disable", ban: "ban", lock: "lock" };

/** What a lock is, said wherever accounts are locked rather than disabled. */
export const LOCK_WORDS =
  "this server cannot disable accounts, so each got a random password nobody knows and its sessions were ended; a password reset link (reset user@domain) reopens one";

/** What ejabberd's ban is, said wherever accounts are banned. */
export const BAN_WORDS =
  "with ejabberd's ban_account: its sessions were ended and it cannot log in (on ejabberd 23.01 by a random password nobody knows, so a password reset link, reset user@domain, reopens it; from 24.06 until enable user@domain)";

/** What the way means, where it is not plain disabling. */
const WAY_WORDS: Readonly<Record<BlockWay, string | undefined>> = {
  disable: undefined,
  ban: BAN_WORDS,
  lock: LOCK_WORDS,
};

function skippedLine(plan: TreeDisablePlan): string[] {
  if (plan.skipped.length === 0) return [];
  return [`Left alone: ${plan.skipped.map(({ jid, reason }) => `${jid} (${SKIP_WORDS[reason]})`).join(", ")}.`];
}

/** The confirmation `disable tree JID` asks for first. */
export function planReply(plan: TreeDisablePlan, confirmWords: string): string {
  if (plan.accounts.length === 0) {
    return [`There is no account in the invite tree of ${plan.root} to disable.`, ...skippedLine(plan)].join("\n");
  }
  const words = WAY_WORDS[plan.way];
  return [
    `This revokes every pending invite of ${plan.root} and of its invite tree, then ${VERB[plan.way]}s ${plural(plan.accounts.length, "account")} in the tree (not ${plan.root} itself)${words === undefined ? "" : ` — ${words}`}.`,
    ...skippedLine(plan),
    `Say "${confirmWords}" to do it.`,
  ].join("\n");
}

/** Account by account: what was done, what failed and why. */
export function disablingReply(result: TreeDisabling): string {
  const lines = [
    `Revoked ${plural(result.revoked, "pending invite")} of ${result.root} and its invite tree.`,
    `${DONE[result.way]} ${plural(result.done.length, "account")}${result.done.length === 0 ? "" : `: ${result.done.join(", ")}`}.`,
  ];
  const words = WAY_WORDS[result.way];
  if (words !== undefined && result.done.length > 0) lines.push(`${DONE[result.way]}, not disabled: ${words}.`);
  for (const { jid, why } of result.failed) lines.push(`Not ${DONE[result.way].toLowerCase()}: ${jid}: ${why}.`);
  lines.push(...skippedLine(result));
  if (result.truncated)
    lines.push("The tree is larger than I read at once: accounts past its first 10,000 were left alone.");
  return lines.join("\n");
}

/** One account disabled (or locked), or why not. */
export function accountReply(jid: string, outcome: AccountOutcome & { readonly way: BlockWay }): string {
  if (!outcome.ok) return `${jid} was not ${DONE[outcome.way].toLowerCase()}: ${outcome.why}.`;
  const words = WAY_WORDS[outcome.way];
  return `${DONE[outcome.way]} ${jid}${words === undefined ? "" : `: ${words}`}.`;
}
