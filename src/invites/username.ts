/**
 * The one username rule, for every way an account is made or bound (the web form, in-band registration, XEP-0133
 * add-user and change-user-password, and the invite options that bind an invite to a name; docs/security.md,
 * "Usernames"). Fold first, then judge the folded name, which is what the server stores:
 *
 * 1. fold as the servers do (src/jid.ts `normaliseLocal`: NFKC and full case folding, Prosody's and ejabberd's
 *    nodeprep), which is also PRECIS UsernameCaseMapped's width mapping, case mapping and normalisation
 *    (RFC 8265 §3.3.2) except that "ß" becomes "ss" as the servers make it;
 * 2. PRECIS IdentifierClass (RFC 8264 §9.1): letters, marks and digits of any script, and ASCII's printable
 *    characters; no spaces, symbols, punctuation beyond ASCII's, controls, format or other default-ignorable
 *    characters (U+00AD, U+200B, U+202E, …), private-use or unassigned code points; the contextual rules of
 *    RFC 5892 Appendix A for the middle dot and its kin; the Bidi Rule (RFC 5893 §2) for right-to-left names;
 * 3. what a JID's local part forbids (RFC 7622 §3.3.1): `"&'/:<>@`;
 * 4. at most MAX_USERNAME_BYTES bytes;
 * 5. optionally, not the name of an administrator or of the bot, nor one confusable with it (UTS #39).
 *
 * Pure: no XMPP, no HTTP.
 */
import { InviteError } from "../errors.js";
import { normaliseLocal } from "../jid.js";
import { ProtectedNames } from "./lookalikes.js";
import type { Policy } from "./permissions.js";

/**
 * The longest name every server stores, in UTF-8 bytes. Prosody 0.12's internal storage keeps each account in
 * files named by the local part with every byte other than an ASCII letter or digit written as `%xx`, and writes
 * `NAME.list~` before `NAME.list` (offline messages, archives): 83 × 3 + 6 = 255 bytes, a file name's limit
 * (measured: 83 bytes of "_" are stored, 84 fail with "Error saving to storage"; an ASCII letter is stored as
 * itself, so 249 of those would fit, but not every name is made of them). ejabberd 23.01 stores longer names (200
 * bytes, measured), so Prosody sets the limit. Tested: test/integration/web/usernames.test.ts.
 */
export const MAX_USERNAME_BYTES = 83;

export type UsernameProblem = "missing" | "too-long" | "not-allowed" | "lookalike";

export type UsernameCheck =
  | { readonly ok: true; readonly username: string }
  | { readonly ok: false; readonly problem: UsernameProblem; readonly reason: string };

export interface UsernameRule {
  /** Refuse the names of administrators and of the bot, and their lookalikes; unset: no such check. */
  readonly protectedNames?: ProtectedNames | undefined;
}

// RFC 7622 §3.3.1.
const FORBIDDEN_IN_LOCAL = new Set(['"', "&", "'", "/", ":", "<", ">", "@"]);
const SPACE = /[\p{White_Space}\p{Zs}]/u;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}]/u;
// RFC 8264 §9.1 LetterDigits (Ll, Lu, Lo, Nd, Lm, Mn, Mc) and ASCII7 (printable ASCII).
const IDENTIFIER = /[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}\u0021-\u007e]/u;
// RFC 5892 §2.6 Exceptions: PVALID though not letters or digits, and DISALLOWED though they are.
const PVALID_EXCEPTIONS = new Set(["\u06fd", "\u06fe", "\u0f0b", "\u3007"]);
const DISALLOWED = /[\u0640\u07fa\u302e\u302f\u3031-\u3035\u303b]|[\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]/u;
const RTL_LETTER =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Mende_Kikakui}]/u;
const ARABIC_INDIC = /[\u0660-\u0669]/u;
const EXTENDED_ARABIC_INDIC = /[\u06f0-\u06f9]/u;

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** RFC 5892 Appendix A (CONTEXTO), the characters an identifier may hold only between certain others. */
function contextAllows(chars: readonly string[], i: number): boolean {
  const c = chars[i];
  const before = chars[i - 1] ?? "";
  const after = chars[i + 1] ?? "";
  if (c === "\u00b7") return before === "l" && after === "l";
  if (c === "\u0375") return /\p{Script=Greek}/u.test(after);
  if (c === "\u05f3" || c === "\u05f4") return /\p{Script=Hebrew}/u.test(before);
  if (c === "\u30fb")
    return chars.some((other) => /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(other));
  return false;
}

/** Why one character of the folded name cannot be in it, or undefined when it may. */
function characterProblem(chars: readonly string[], i: number): string | undefined {
  const c = chars[i] ?? "";
  if (FORBIDDEN_IN_LOCAL.has(c)) return `"${c}", which no address may have in its name`;
  if (SPACE.test(c)) return "a space";
  if (INVISIBLE.test(c)) return `an invisible, unassigned or private character (${codePoint(c)})`;
  if (DISALLOWED.test(c)) return `"${c}" (${codePoint(c)}), which is not allowed in names`;
  if (IDENTIFIER.test(c) || PVALID_EXCEPTIONS.has(c) || contextAllows(chars, i)) return undefined;
  return `"${c}" (${codePoint(c)}): symbols and punctuation other than ASCII's are not allowed`;
}

/** RFC 5893 §2, for a name with right-to-left letters: only right-to-left letters, digits of one kind, marks. */
function bidiProblem(chars: readonly string[]): string | undefined {
  if (!chars.some((c) => RTL_LETTER.test(c) && /\p{L}/u.test(c))) return undefined;
  const problem = "letters written right to left must start it, end it (or digits), and not mix with others";
  const [first] = chars;
  const last = [...chars].reverse().find((c) => !/\p{M}/u.test(c)) ?? "";
  if (first === undefined || !RTL_LETTER.test(first) || !/\p{L}/u.test(first)) return problem;
  if (!(RTL_LETTER.test(last) && /\p{L}/u.test(last)) && !/\p{Nd}/u.test(last)) return problem;
  if (chars.some((c) => /\p{L}/u.test(c) && !RTL_LETTER.test(c))) return problem;
  if (chars.some((c) => /\p{Nd}/u.test(c) && !/[0-9]/u.test(c) && !RTL_LETTER.test(c))) return problem;
  const european = chars.some((c) => /[0-9]/u.test(c) || EXTENDED_ARABIC_INDIC.test(c));
  if (european && chars.some((c) => ARABIC_INDIC.test(c))) return problem;
  return undefined;
}

/** The typed characters that fold into `folded`, for a reason that names what the visitor actually typed. */
function typedAs(typed: string, folded: string): string {
  const sources = [...typed].filter((c) => c !== folded && normaliseLocal(c).includes(folded));
  return sources.length === 0 ? "" : ` (typed as "${sources[0]}")`;
}

/**
 * Folds `typed` as the server will and checks the result: the name to register, or why it cannot be one (in
 * words, for chat and ad-hoc; `problem` picks the web page's message).
 */
export function checkUsername(typed: string, rule: UsernameRule = {}): UsernameCheck {
  const name = normaliseLocal(typed.trim());
  const refuse = (problem: UsernameProblem, why: string): UsernameCheck => ({
    ok: false,
    problem,
    reason: `"${typed}" cannot be a username: ${why}`,
  });
  if (name === "") return { ok: false, problem: "missing", reason: "A username is required" };
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_USERNAME_BYTES) {
    return refuse("too-long", `it is ${bytes} bytes long, and servers store at most ${MAX_USERNAME_BYTES}`);
  }
  const chars = [...name];
  for (let i = 0; i < chars.length; i++) {
    const problem = characterProblem(chars, i);
    if (problem !== undefined) return refuse("not-allowed", `it contains ${problem}${typedAs(typed, chars[i] ?? "")}`);
  }
  const bidi = bidiProblem(chars);
  if (bidi !== undefined) return refuse("not-allowed", bidi);
  const imitated = rule.protectedNames?.lookalikeOf(name);
  if (imitated !== undefined) {
    return refuse("lookalike", `it is, or looks like, "${imitated}", the name of an administrator or of the bot`);
  }
  return { ok: true, username: name };
}

/** The rule on this server: with USERNAME_CONFUSABLES, the admins' names on `domain` and the bot's are protected. */
export function usernameRuleFor(
  policy: Pick<Policy, "domain" | "admins" | "botJid">,
  confusables: boolean,
): UsernameRule {
  if (!confusables) return {};
  const names = [...policy.admins, ...(policy.botJid === undefined ? [] : [policy.botJid])]
    .filter((jid) => jid.endsWith(`@${policy.domain}`))
    .map((jid) => normaliseLocal(jid.slice(0, jid.lastIndexOf("@"))));
  return { protectedNames: new ProtectedNames(names) };
}

/**
 * The name folded as the server stores it, or InviteError (username-not-allowed) when `rule` refuses it: a new
 * account's name follows the whole rule, an existing one's (a reset link) only the basic one (`{}`).
 */
export function allowedUsername(name: string, rule: UsernameRule): string {
  const checked = checkUsername(name, rule);
  if (!checked.ok) throw new InviteError("username-not-allowed", { params: { reason: checked.reason } });
  return checked.username;
}
