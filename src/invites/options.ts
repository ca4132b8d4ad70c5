/**
 * Options of an account invite (issue #4, XEP-0401 fields plus ours):
 * a bound username (XEP-0445), adding the new user to the inviter's contacts,
 * a lifetime from a short list, a number of uses and a note.
 */
import { MAX_INVITE_CIRCLES, MAX_INVITE_ROOMS } from "./circle-choice.js";
import { isJoinRole, JOIN_ROLES, type JoinRole } from "./roles.js";
import { checkUsername, type UsernameRule } from "./username.js";

export interface AccountInviteOptions {
  /** Only this local part may register (folded as the server stores it, src/invites/username.ts). */
  readonly username?: string;
  /** The new user and the inviting admin become mutual contacts (XEP-0401 `roster-subscription`). */
  readonly rosterSubscription?: boolean;
  readonly ttlSeconds?: number;
  /** 1 = single use; more makes the invite reusable, counted down by the server. */
  readonly maxUses?: number;
  readonly note?: string;
  /** Circles the new account joins, by id or name (src/invites/circle-choice.ts resolves them). */
  readonly circles?: readonly string[];
  /** Group chats outside circles the new account joins (room JIDs). */
  readonly rooms?: readonly string[];
  /** The new account's role (roles.ts); the server's default when left out. */
  readonly role?: JoinRole;
}

export interface ExpiryChoice {
  /** As typed in chat: "1h", "1d", "1w", "4w". */
  readonly short: string;
  readonly label: string;
  readonly seconds: number;
}

export const EXPIRY_CHOICES: readonly ExpiryChoice[] = [
  { short: "1h", label: "1 hour", seconds: 3_600 },
  { short: "1d", label: "1 day", seconds: 86_400 },
  { short: "1w", label: "1 week", seconds: 604_800 },
  { short: "4w", label: "4 weeks", seconds: 2_419_200 },
];

export const MAX_USES = 100;
export const MAX_NOTE_LENGTH = 200;

/** Raw values as a person entered them (form fields or chat words). */
export interface RawAccountInviteOptions {
  readonly username?: string;
  readonly rosterSubscription?: boolean;
  readonly ttlSeconds?: number;
  readonly maxUses?: string;
  readonly note?: string;
  readonly circles?: readonly string[];
  readonly rooms?: readonly string[];
  /** A role as entered: one of JOIN_ROLES. */
  readonly role?: string;
}

/** Checks what a person entered; returns the options or every problem, in words. */
export function validateAccountInviteOptions(
  raw: RawAccountInviteOptions,
  defaultTtl: number,
  usernameRule: UsernameRule = {},
): { options: AccountInviteOptions; problems: [] } | { options?: undefined; problems: string[] } {
  const problems: string[] = [];
  // The rule every account is made by (username.ts), folded as the server will register it: an invite bound to a
  // name typed in full-width letters still works, one bound to "victim＠other.host" is never made.
  let username: string | undefined;
  if (raw.username !== undefined && raw.username.trim() !== "") {
    const checked = checkUsername(raw.username, usernameRule);
    if (checked.ok) username = checked.username;
    else problems.push(checked.reason);
  }
  let maxUses: number | undefined;
  const usesText = raw.maxUses?.trim();
  if (usesText !== undefined && usesText !== "") {
    maxUses = /^\d+$/u.test(usesText) ? Number(usesText) : Number.NaN;
    if (!(maxUses >= 1 && maxUses <= MAX_USES))
      problems.push(`The number of uses must be from 1 to ${MAX_USES}, not "${usesText}"`);
  }
  const ttlAllowed = raw.ttlSeconds === defaultTtl || EXPIRY_CHOICES.some((c) => c.seconds === raw.ttlSeconds);
  if (raw.ttlSeconds !== undefined && !ttlAllowed) {
    problems.push(`Choose a lifetime of ${EXPIRY_CHOICES.map((c) => c.label).join(", ")}`);
  }
  const note = raw.note?.trim() || undefined;
  if (note !== undefined && note.length > MAX_NOTE_LENGTH) {
    problems.push(`The note is too long (${note.length} characters, at most ${MAX_NOTE_LENGTH})`);
  }
  const circles = [...new Set((raw.circles ?? []).map((ref) => ref.trim()).filter((ref) => ref !== ""))];
  const rooms = [...new Set((raw.rooms ?? []).map((room) => room.trim()).filter((room) => room !== ""))];
  if (circles.length > MAX_INVITE_CIRCLES) problems.push(`Choose at most ${MAX_INVITE_CIRCLES} circles`);
  if (rooms.length > MAX_INVITE_ROOMS) problems.push(`Choose at most ${MAX_INVITE_ROOMS} group chats`);
  const role = raw.role?.trim() || undefined;
  if (role !== undefined && !isJoinRole(role)) {
    problems.push(`There is no role "${role}": choose Normal, Limited, Member or Administrator (in chat: as limited)`);
  }
  if (problems.length > 0) return { problems };
  return {
    options: {
      ...(username === undefined ? {} : { username }),
      ...(raw.rosterSubscription ? { rosterSubscription: true } : {}),
      ...(raw.ttlSeconds === undefined ? {} : { ttlSeconds: raw.ttlSeconds }),
      ...(maxUses === undefined ? {} : { maxUses }),
      ...(note === undefined ? {} : { note }),
      ...(circles.length === 0 ? {} : { circles }),
      ...(rooms.length === 0 ? {} : { rooms }),
      // The default role is no role to set: every server makes accounts that way.
      ...(role === undefined || role === JOIN_ROLES[0] ? {} : { role: role as JoinRole }),
    },
    problems: [],
  };
}
