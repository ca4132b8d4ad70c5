/**
 * What an invite tree shows beside its shape (issue 25, point 2): the pending invites of the root and of each account
 * (their unexpired invites: the count of the `by:JID` index, InviteStore.listPage without rows), when each account
 * registered through an invite (RelationsStore.joinedAt; none for an account without that record), the deepest
 * level, and the newest accounts. Read in chunks, each one pipelined round trip, as the tree itself is (tree.ts).
 */
import { guarded } from "./guarded.js";
import type { Actor } from "./permissions.js";
import type { InviteStore, RelationsStore } from "./store.js";
import { type InviteTree, inviteTree, type TreeDeps, type TreeNode } from "./tree.js";

/** The newest accounts a tree lists (by when they registered), newest first. */
export const NEWEST_ACCOUNTS = 10;
/** Accounts whose counts and dates are read at once (one pipelined round trip each). */
const DETAIL_CHUNK = 100;

export interface DetailedNode extends TreeNode {
  /** Its pending invites: made by it, not expired, not used up, not revoked. */
  readonly pending: number;
  /** When it registered through an invite (Unix seconds); absent without that record. */
  readonly joined?: number;
}

export interface DetailedTree extends InviteTree {
  readonly nodes: readonly DetailedNode[];
  /** The root's own pending invites. */
  readonly rootPending: number;
  /** The pending invites of the root and of every account of the tree. */
  readonly pending: number;
  /** The depth of the deepest account (0 for an empty tree). */
  readonly deepest: number;
  /** Up to NEWEST_ACCOUNTS accounts with a date, the newest first. */
  readonly newest: readonly DetailedNode[];
}

export type DetailDeps = TreeDeps & { readonly store: Pick<InviteStore, "listPage"> & RelationsStore };

/** The tree (admins any account's, users their own) with its counts and dates. */
export async function detailedTree(deps: DetailDeps, actor: Actor, root: string): Promise<DetailedTree> {
  const tree = await inviteTree(deps, actor, root);
  return guarded(() => withDetails(deps.store, tree), "I cannot show it");
}

async function withDetails(store: DetailDeps["store"], tree: InviteTree): Promise<DetailedTree> {
  const accounts = [tree.root, ...tree.nodes.map((node) => node.jid)];
  const pendingOf = new Map<string, number>();
  const joinedOf = new Map<string, number>();
  for (let at = 0; at < accounts.length; at += DETAIL_CHUNK) {
    const chunk = accounts.slice(at, at + DETAIL_CHUNK);
    const [pages, joined] = await Promise.all([
      Promise.all(chunk.map((inviter) => store.listPage({ inviter, offset: 0, limit: 0 }))),
      store.joinedAt?.(chunk) ?? new Map<string, number>(),
    ]);
    for (const [i, jid] of chunk.entries()) pendingOf.set(jid, pages[i]?.total ?? 0);
    for (const [jid, seconds] of joined) joinedOf.set(jid, seconds);
  }
  const nodes = tree.nodes.map((node): DetailedNode => {
    const joined = joinedOf.get(node.jid);
    return { ...node, pending: pendingOf.get(node.jid) ?? 0, ...(joined === undefined ? {} : { joined }) };
  });
  const newest = nodes
    .filter((node) => node.joined !== undefined)
    .sort((a, b) => (b.joined as number) - (a.joined as number) || (a.jid < b.jid ? -1 : 1))
    .slice(0, NEWEST_ACCOUNTS);
  const rootPending = pendingOf.get(tree.root) ?? 0;
  return {
    ...tree,
    nodes,
    rootPending,
    pending: nodes.reduce((sum, node) => sum + node.pending, rootPending),
    deepest: nodes.reduce((deepest, node) => Math.max(deepest, node.depth), 0),
    newest,
  };
}
