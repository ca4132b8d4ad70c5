/**
 * Redis key names of layout v3 (v2's keys and the circles'), shared with the Prosody module
 * (prosody/invites_redis_keys.lib.lua). docs/storage.md is the contract;
 * change both sides together.
 *
 * Every key of a host starts with `invite:{HOST}:`: the `{HOST}` hash tag puts
 * them all in one Redis Cluster slot, so each MULTI and EVAL stays valid there.
 */

/**
 * The layout this code reads and writes: 3, layout 2 with circles (layout.ts migrates 1 and 2 to it; a Prosody
 * module that knows only 2 refuses it, rather than consume invites whose circles it knows nothing of).
 */
export const LAYOUT_VERSION = "3";

/** The common prefix of every key of a host. */
export function hostTag(host: string): string {
  return `invite:{${host}}:`;
}

export function layoutKey(host: string): string {
  return `${hostTag(host)}layout`;
}

/** The lock held by the instance that migrates an older store (v1 or v2). */
export function migratingKey(host: string): string {
  return `${hostTag(host)}migrating`;
}

/** The signed invite record, named by the hash of its token. */
export function recordKey(host: string, hash: string): string {
  return `${hostTag(host)}rec:${hash}`;
}

/** Uses already taken of a counted reusable invite. */
export function usedKey(host: string, hash: string): string {
  return `${hostTag(host)}used:${hash}`;
}

/**
 * The accounts waiting for an admin's approval (APPROVE_USER_INVITED): a hash, bare JID → its entry (the signed use
 * event; for a registration the bot holds, with its encrypted secret). Written by settle.lua for our module's holds,
 * by the bot for its own (src/storage/redis-approvals.ts).
 */
export function approvalsKey(host: string): string {
  return `${hostTag(host)}approvals`;
}

/** A use the bot claimed, until it is kept or given back (prosody/scripts/claim.lua, give_back.lua). */
export function claimKey(host: string, claimId: string): string {
  return `${hostTag(host)}claim:${claimId}`;
}

/**
 * Uses claimed and not settled yet, by claim id (prosody/scripts/claim.lua, settle.lua, give_back.lua): a hash whose
 * entries outlive the process that claimed them (docs/storage.md, "Unsettled uses").
 */
export function unsettledKey(host: string): string {
  return `${hostTag(host)}unsettled`;
}

/** Every pending invite of the host, scored by expiry. */
export function pendingKey(host: string): string {
  return `${hostTag(host)}pending`;
}

/** The same invites with score 0, for lookup by id prefix (ZRANGE BYLEX). */
export function idsKey(host: string): string {
  return `${hostTag(host)}ids`;
}

/** The invites one bare JID made, scored by expiry. */
export function byInviterKey(host: string, inviter: string): string {
  return `${hostTag(host)}by:${inviter}`;
}

/** The invites bound to one username (and reset links for it), scored by expiry. */
export function forUsernameKey(host: string, local: string): string {
  return `${hostTag(host)}for:${local}`;
}

/** The rolling-period invite quota of one requester (the bot's own). */
export function quotaKey(host: string, subject: string): string {
  return `${hostTag(host)}quota:${subject}`;
}

/**
 * The places one requester took for invites not saved yet (src/storage/redis-quota.ts): a sorted set of reservation
 * ids, scored by when each stops counting as pending.
 */
export function reservingKey(host: string, subject: string): string {
  return `${hostTag(host)}reserving:${subject}`;
}

/**
 * When each account made through an invite registered: a sorted set of bare JIDs scored by Unix seconds, written
 * with the registration's use event (prosody/scripts/record_use.lua, settle.lua); the policy for users' invites
 * reads an account's age from it (redis-quota.ts).
 */
export function joinedKey(host: string): string {
  return `${hostTag(host)}joined`;
}

/** Who invited this bare JID (written by the Prosody module on use). */
export function invitedByKey(host: string, invitee: string): string {
  return `${hostTag(host)}invited-by:${invitee}`;
}

/** Everyone this bare JID invited: a set (written by the Prosody module on use). */
export function inviteesKey(host: string, inviter: string): string {
  return `${hostTag(host)}invitees:${inviter}`;
}

/** The Prosody module's stream of invite uses (read by the bot's consumer group). */
export function eventsKey(host: string): string {
  return `${hostTag(host)}events`;
}

/** A web rate-limit counter (src/web/rate-limits.ts), e.g. `views:203.0.113.7`; expires with its window. */
export function webHitsKey(host: string, key: string): string {
  return `${hostTag(host)}web-hits:${key}`;
}

/**
 * A circle's signed record (docs/storage.md, "Circles"): a string, the circle as JSON with its HMAC tag. `ID` is 12
 * base64url characters, never `:`, so no circle key is another circle's members key.
 */
export function circleKey(host: string, id: string): string {
  return `${hostTag(host)}circle:${id}`;
}

/** A circle's members: a hash, member's bare JID → its membership tag (prosody/scripts/circle_add_member.lua). */
export function circleMembersKey(host: string, id: string): string {
  return `${circleKey(host, id)}:members`;
}

/** The ids of the host's circles: a set, the index listing starts from (no SCAN). */
export function circlesKey(host: string): string {
  return `${hostTag(host)}circles`;
}

/**
 * The summary's logs (docs/storage.md, "The summary's logs"), sorted sets kept a month long and read by the bot
 * alone: the invites created (short id, scored by creation time), the uses the event stream told (stream entry id,
 * scored by the use's time), and the expiry of each invite until it is used up or revoked (short id, scored by
 * expiry).
 */
export function logKey(host: string, log: "created" | "used" | "expiring"): string {
  return `${hostTag(host)}log:${log}`;
}

/** The key that names the leader of the instances of bot account `account` (its local part), with its TTL. */
export function leaderKey(host: string, account: string): string {
  return `${hostTag(host)}leader:${account}`;
}

/** The last fencing number given out; never expires, so epochs only grow. */
export function leaderEpochKey(host: string, account: string): string {
  return `${hostTag(host)}leader-epoch:${account}`;
}
