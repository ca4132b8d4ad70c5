/**
 * The invite tree of an account (issue 23): everyone it invited, everyone they invited, and so on down, from who
 * invited whom as the server recorded it (store.ts, RelationsStore). Bounded in size, and safe from cycles (an
 * account is listed once, under the first inviter found, the nearest to the root). Users see their own tree, admins
 * anyone's; only admins revoke the pending invites of a whole tree. Its counts and dates: tree-details.ts; disabling
 * its accounts: tree-disable.ts.
 */
import { InviteError } from "../errors.js";
import { guarded } from "./guarded.js";
import { revokeMadeBy } from "./management.js";
import type { Actor } from "./permissions.js";
import type { InviteStore, RelationsStore } from "./store.js";

/** The most accounts a tree holds: each costs one store read, and a tree this big is read in chunks anyway. */
export const TREE_MAX_ACCOUNTS = 10_000;
/** Accounts whose invitees are read at once (one pipelined round trip each chunk). */
const READ_CHUNK = 100;
/** Accounts whose invites are revoked at once. */
const REVOKE_CHUNK = 20;

export interface TreeNode {
  readonly jid: string;
  /** Who invited it: the root or another node. */
  readonly invitedBy: string;
  /** 1 for those the root invited, 2 for theirs, and so on. */
  readonly depth: number;
}

export interface InviteTree {
  readonly root: string;
  /** Every account below the root, each followed by its own tree (pre-order), invitees in JID order. */
  readonly nodes: readonly TreeNode[];
  /** Whether the tree went past TREE_MAX_ACCOUNTS and was cut there. */
  readonly truncated: boolean;
}

export interface TreeRevocation {
  /** How many pending invites were revoked. */
  readonly revoked: number;
  /** Whose invites: the root and every account of its tree. */
  readonly accounts: number;
  /** Whether the tree was cut at TREE_MAX_ACCOUNTS: the accounts past it kept their invites. */
  readonly truncated: boolean;
}

export interface TreeDeps {
  readonly store: Pick<InviteStore, "listPage" | "remove"> & RelationsStore;
}

/** Admins any account's tree, users their own. */
export async function inviteTree(deps: TreeDeps, actor: Actor, root: string): Promise<InviteTree> {
  if (!actor.isAdmin && root !== actor.jid) throw new InviteError("invite-tree-admins-only");
  return guarded(() => readTree(deps.store, root), "I cannot show it");
}

/** Admins: revokes every pending invite of `root` and of everyone in its tree. */
export async function revokeTree(deps: TreeDeps, actor: Actor, root: string): Promise<TreeRevocation> {
  if (!actor.isAdmin) throw new InviteError("revoke-all-admins-only");
  const tree = await inviteTree(deps, actor, root);
  return revokeIn(deps, tree);
}

/** Every pending invite of the tree's root and accounts (no permission check: the callers' own). */
export async function revokeIn(deps: TreeDeps, tree: InviteTree): Promise<TreeRevocation> {
  const accounts = [tree.root, ...tree.nodes.map((node) => node.jid)];
  let revoked = 0;
  for (let at = 0; at < accounts.length; at += REVOKE_CHUNK) {
    const chunk = accounts.slice(at, at + REVOKE_CHUNK);
    const counts = await Promise.all(chunk.map((inviter) => revokeMadeBy(deps.store, inviter)));
    revoked += counts.reduce((sum, count) => sum + count, 0);
  }
  return { revoked, accounts: accounts.length, truncated: tree.truncated };
}

/** Level by level (so the cap keeps the nearest accounts), then laid out depth first. */
async function readTree(store: RelationsStore, root: string): Promise<InviteTree> {
  const parentOf = new Map<string, string>([[root, ""]]);
  const childrenOf = new Map<string, string[]>();
  let level = [root];
  let truncated = false;
  while (level.length > 0 && !truncated) {
    const next: string[] = [];
    for (let at = 0; at < level.length && !truncated; at += READ_CHUNK) {
      const chunk = level.slice(at, at + READ_CHUNK);
      const invitees = await Promise.all(chunk.map((jid) => store.inviteesOf(jid)));
      for (const [i, parent] of chunk.entries()) {
        for (const child of invitees[i] ?? []) {
          if (parentOf.has(child)) continue;
          if (parentOf.size > TREE_MAX_ACCOUNTS) {
            truncated = true;
            break;
          }
          parentOf.set(child, parent);
          childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), child]);
          next.push(child);
        }
      }
    }
    level = next;
  }
  return { root, nodes: layOut(root, childrenOf), truncated };
}

function layOut(root: string, childrenOf: ReadonlyMap<string, readonly string[]>): TreeNode[] {
  const nodes: TreeNode[] = [];
  // An explicit stack: a tree may be 10,000 deep.
  const stack = [...(childrenOf.get(root) ?? [])].reverse().map((jid) => ({ jid, invitedBy: root, depth: 1 }));
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    nodes.push(node);
    const children = childrenOf.get(node.jid) ?? [];
    for (let i = children.length - 1; i >= 0; i -= 1) {
      stack.push({ jid: children[i] as string, invitedBy: node.jid, depth: node.depth + 1 });
    }
  }
  return nodes;
}
