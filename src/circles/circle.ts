/**
 * Circles (docs/circles.md): named groups of accounts of the bot's domain, each with the group chats its members
 * share. An invite to a circle makes the newcomer a member, every member's mutual contact and a member of its chats.
 */
import { randomBytes } from "node:crypto";
import type { RandomSource } from "../invites/token.js";

/** What a circle is, apart from its members (which are kept one by one: src/circles/store.ts). */
export interface Circle {
  /** 12 base64url characters, the size of Prosody's `util.id.short()`: what invites name (`additional_data.groups`). */
  readonly id: string;
  /** Shown to people, and the roster group its members are filed under. */
  readonly name: string;
  /** Bare JIDs of its group chats (XEP-0045 rooms), in the order they were added. */
  readonly rooms: readonly string[];
  /** Unix seconds. */
  readonly createdAt: number;
  /** Bare JID of the admin who created it. */
  readonly createdBy: string;
}

export interface CircleWithMembers extends Circle {
  /** Bare JIDs, sorted. */
  readonly members: readonly string[];
}

/** 9 bytes → 12 base64url characters. */
const ID_BYTES = 9;
export const CIRCLE_ID_PATTERN = /^[A-Za-z0-9_-]{12}$/u;

export function newCircleId(random: RandomSource = randomBytes): string {
  return random(ID_BYTES).toString("base64url");
}

export function isCircleId(text: string): boolean {
  return CIRCLE_ID_PATTERN.test(text);
}

/** A roster group name people can read: not too long, no control or format characters (they could hide text). */
export const CIRCLE_NAME_MAX = 64;

/** The name as it is kept (trimmed, inner whitespace runs as one space), or undefined when it cannot be a name. */
export function circleNameOf(text: string): string | undefined {
  const name = text.normalize("NFC").trim().replace(/\s+/gu, " ");
  if (name.length === 0 || [...name].length > CIRCLE_NAME_MAX) return undefined;
  if (/[\p{C}\u2028\u2029]/u.test(name)) return undefined;
  return name;
}

/** Names compare without case: "Family" and "family" are one circle to the people saying them. */
export function sameCircleName(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;
}
