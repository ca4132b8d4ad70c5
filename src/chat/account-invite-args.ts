/**
 * The words after "invite account" in chat, e.g.
 * `invite account 1d 5 uses "for the chess club"`, `invite account for bob 1h`,
 * `invite account contact`. Pure: no I/O, no XMPP.
 */
import { EXPIRY_CHOICES, type RawAccountInviteOptions } from "../invites/options.js";
import { ROLE_WORDS } from "../invites/roles.js";

export const ACCOUNT_INVITE_EXAMPLE = 'invite account 1d 5 uses "for the chess club"';
export const ACCOUNT_INVITE_SYNTAX =
  'invite account [for USERNAME] [1h|1d|1w|4w] [N uses] [contact] [to CIRCLE] [chat ROOM] [as limited|member|admin] ["note"]';

export type ParsedArgs = { raw: RawAccountInviteOptions; error?: undefined } | { error: string; raw?: undefined };

// A note in straight or typographic double quotes, or a single word.
const TOKEN = /"([^"]*)"|“([^”]*)”|(\S+)/gu;

export function parseAccountInviteArgs(text: string): ParsedArgs {
  const tokens: Array<{ word?: string; quoted?: string }> = [];
  for (const match of text.matchAll(TOKEN)) {
    const quoted = match[1] ?? match[2];
    tokens.push(quoted === undefined ? { word: match[3] ?? "" } : { quoted });
  }
  const raw: { -readonly [K in keyof RawAccountInviteOptions]: RawAccountInviteOptions[K] } = {};
  const circles: string[] = [];
  const rooms: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const { word, quoted } = tokens[i] ?? {};
    if (quoted !== undefined) {
      raw.note = quoted;
      continue;
    }
    const lower = (word ?? "").toLowerCase();
    const next = tokens[i + 1]?.word?.toLowerCase();
    const expiry = EXPIRY_CHOICES.find((choice) => choice.short === lower);
    if (expiry !== undefined) {
      raw.ttlSeconds = expiry.seconds;
    } else if (/^\d+$/u.test(lower) && (next === "use" || next === "uses" || next === "times")) {
      raw.maxUses = lower;
      i += 1;
    } else if (lower === "for" && tokens[i + 1]?.word !== undefined) {
      raw.username = tokens[i + 1]?.word;
      i += 1;
    } else if (lower === "to" && tokens[i + 1] !== undefined) {
      // A circle by name or id; a name of several words is quoted: to "Chess club".
      const circle = tokens[i + 1];
      circles.push(circle?.quoted ?? circle?.word ?? "");
      i += 1;
    } else if (lower === "as" && tokens[i + 1]?.word !== undefined) {
      const role = tokens[i + 1]?.word ?? "";
      raw.role = ROLE_WORDS[role.toLowerCase()] ?? role;
      i += 1;
    } else if (lower === "chat" && tokens[i + 1]?.word !== undefined) {
      rooms.push(tokens[i + 1]?.word ?? "");
      i += 1;
    } else if (lower === "contact") {
      raw.rosterSubscription = true;
    } else {
      return { error: `I did not understand "${word}". Try: ${ACCOUNT_INVITE_EXAMPLE}` };
    }
  }
  if (circles.length > 0) raw.circles = circles;
  if (rooms.length > 0) raw.rooms = rooms;
  return { raw };
}
