/**
 * Just enough JID handling for permission checks (RFC 7622).
 *
 * Local part and domain compare case-insensitively, which is what PRECIS
 * UsernameCaseMapped and IDNA give for the addresses people actually use.
 */

export interface BareJid {
  readonly local: string;
  readonly domain: string;
}

// RFC 7622 §3.3.1: these may not appear in a local part.
const FORBIDDEN_IN_LOCAL = /[\s"&'/:<>@]/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

export function isValidDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > 253) return false;
  return domain.split(".").every((label) => DOMAIN_LABEL.test(label));
}

export function isValidLocal(local: string): boolean {
  return local.length > 0 && Buffer.byteLength(local) <= 1023 && !FORBIDDEN_IN_LOCAL.test(local);
}

/** Full case folding where it differs from lower case (Unicode CaseFolding.txt, status F and C). */
const FOLDED: Readonly<Record<string, string>> = { ß: "ss", ς: "σ", "\u0345": "ι" };

/**
 * A local part as the server will store it: Unicode compatibility forms folded (NFKC) and full case
 * folding, as Prosody's and ejabberd's nodeprep do it (RFC 3920 Nodeprep: RFC 3454 table B.2, then
 * NFKC). So "ｆｒａｎｋ" is the "frank" the server registers and "Straße" its "strasse". For every
 * character of Unicode 3.2, the tables nodeprep uses, this gives nodeprep's answer (checked against
 * them, test/unit/invites/username.test.ts); it refuses nothing itself (src/invites/username.ts does).
 */
export function normaliseLocal(local: string): string {
  return local
    .normalize("NFKC")
    .toLowerCase()
    .normalize("NFD")
    .replace(/ß|ς|\u0345/gu, (c) => FOLDED[c] ?? c)
    .normalize("NFKC");
}

/** Parses `user@domain` (no resource); returns undefined when it is not one. */
export function parseBareJid(address: string): BareJid | undefined {
  const at = address.indexOf("@");
  if (at <= 0 || address.includes("/")) return undefined;
  const local = normaliseLocal(address.slice(0, at));
  const domain = address.slice(at + 1).toLowerCase();
  if (!isValidLocal(local) || !isValidDomain(domain)) return undefined;
  return { local, domain };
}

/** `user@domain` normalised (see parseBareJid), or undefined when `address` is not a bare JID. */
export function normaliseBareJid(address: string): string | undefined {
  const jid = parseBareJid(address);
  return jid === undefined ? undefined : `${jid.local}@${jid.domain}`;
}

/** The normalised bare JID of any JID string: `User@Host/res` → `user@host`. */
export function bareJid(address: string): string {
  const slash = address.indexOf("/");
  const bare = slash === -1 ? address : address.slice(0, slash);
  return bare.toLowerCase();
}
