/**
 * Signed circles (docs/storage.md, "Circles"): a circle's record and each membership carry an HMAC tag made with the
 * invite signing key, so that write access to Redis cannot make a circle, nor put anyone into one. Each tag binds
 * the host and the circle's id (and a membership the member's JID), under a context of its own: nothing signed for
 * an invite, an event, another circle or another host passes for either.
 */
import type { Circle } from "../circles/circle.js";
import { macOf, macVerifies, type SigningKeys } from "./record.js";

const CIRCLE_CONTEXT = "xmpp-invite-bot/circle/1";
const MEMBER_CONTEXT = "xmpp-invite-bot/circle-member/1";

/** What `circle:ID` holds: the circle's JSON text and its tag (base64url). */
interface StoredCircle {
  readonly circle: string;
  readonly tag: string;
}

/** The stored value of `circle`: only the fields of a Circle (a CircleWithMembers keeps its members elsewhere). */
export function signCircle(keys: SigningKeys, host: string, circle: Circle): string {
  const { id, name, rooms, createdAt, createdBy } = circle;
  const text = JSON.stringify({ id, name, rooms: [...rooms], createdAt, createdBy });
  const tag = macOf(keys.current, CIRCLE_CONTEXT, [host, id, text]).toString("base64url");
  return JSON.stringify({ circle: text, tag } satisfies StoredCircle);
}

/**
 * The circle stored under `circle:ID` when its tag verifies with the current or an old key and it is the circle
 * of that id, with the right types; anything else (absent, forged, copied, malformed) is no circle.
 */
export function verifyCircle(keys: SigningKeys, host: string, id: string, raw: string | null): Circle | undefined {
  if (raw === null) return undefined;
  const stored = parsed(raw) as Partial<StoredCircle> | undefined;
  if (typeof stored?.circle !== "string" || typeof stored.tag !== "string") return undefined;
  if (!macVerifies(keys, CIRCLE_CONTEXT, [host, id, stored.circle], stored.tag)) return undefined;
  const circle = parsed(stored.circle) as Partial<Circle> | undefined;
  if (!isCircle(circle) || circle.id !== id) return undefined;
  const { name, rooms, createdAt, createdBy } = circle;
  return { id, name, rooms, createdAt, createdBy };
}

/** The tag that makes `jid` a member of circle `id` of `host`, with `key`: the value of its field. */
export function memberTag(key: string, host: string, id: string, jid: string): string {
  return macOf(key, MEMBER_CONTEXT, [host, id, jid]).toString("base64url");
}

/** The membership's tag with each key, the current first: any of them means the member is there already. */
export function memberTags(keys: SigningKeys, host: string, id: string, jid: string): string[] {
  return [keys.current, ...keys.old].map((key) => memberTag(key, host, id, jid));
}

/** The members of `fields` (a members hash) whose tag verifies, sorted; the others are nobody. */
export function verifiedMembers(
  keys: SigningKeys,
  host: string,
  id: string,
  fields: Readonly<Record<string, string>>,
): string[] {
  return Object.entries(fields)
    .filter(([jid, tag]) => isMember(keys, host, id, jid, tag))
    .map(([jid]) => jid)
    .sort();
}

/** Whether `tag`, the value of `jid`'s field, makes `jid` a member of circle `id`. */
export function isMember(keys: SigningKeys, host: string, id: string, jid: string, tag: string): boolean {
  return macVerifies(keys, MEMBER_CONTEXT, [host, id, jid], tag);
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isCircle(value: Partial<Circle> | undefined): value is Circle {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof value.id === "string" &&
    typeof value.name === "string" &&
    Array.isArray(value.rooms) &&
    value.rooms.every((room) => typeof room === "string") &&
    typeof value.createdAt === "number" &&
    Number.isFinite(value.createdAt) &&
    typeof value.createdBy === "string"
  );
}
