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

/**
 * A local part as the server will store it: Unicode compatibility forms folded (NFKC), lower
 * case. Close to Prosody's nodeprep (RFC 3920 Nodeprep, NFKC + case mapping), so that a name
 * typed as "ｆｒａｎｋ" is the "frank" the server registers.
 */
export function normaliseLocal(local: string): string {
  return local.normalize("NFKC").toLowerCase();
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
