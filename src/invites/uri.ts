/**
 * XMPP URIs for invites (RFC 5122, XEP-0147 actions, XEP-0401 §5 / XEP-0379 §3).
 * Same shapes as Prosody's mod_invites: `xmpp:HOST?register;preauth=T`,
 * `xmpp:USER@HOST?register;preauth=T`, `xmpp:USER@HOST?roster;preauth=T[;ibr=y]`.
 */

// RFC 5122 §2.2: a local part is percent-encoded where it is not an IRI
// unreserved or sub-delim character; ";", "?", "#", "=" and "%" would break the query.
const SAFE_LOCAL = /[A-Za-z0-9\-._~!$'()*+,]/u;

export function encodeLocalPart(local: string): string {
  let out = "";
  for (const char of local) {
    out += SAFE_LOCAL.test(char)
      ? char
      : [...Buffer.from(char, "utf8")].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("");
  }
  return out;
}

export function accountInviteUri(host: string, token: string, username?: string): string {
  const path = username === undefined ? host : `${encodeLocalPart(username)}@${host}`;
  return `xmpp:${path}?register;preauth=${token}`;
}

export function contactInviteUri(
  inviterLocal: string,
  host: string,
  token: string,
  allowsRegistration: boolean,
): string {
  const ibr = allowsRegistration ? ";ibr=y" : "";
  return `xmpp:${encodeLocalPart(inviterLocal)}@${host}?roster;preauth=${token}${ibr}`;
}

/**
 * The web page people open first (XEP-0401 §4 "landing page"). The template
 * comes from INVITE_PAGE; {uri} is percent-encoded because it lands inside a URL.
 */
export function landingPage(template: string, invite: { token: string; uri: string; host: string }): string {
  return template
    .replaceAll("{token}", invite.token)
    .replaceAll("{uri}", encodeURIComponent(invite.uri))
    .replaceAll("{host}", invite.host);
}

/**
 * The path of an invite's own web page under WEB_URL (docs/web.md, "Pages"): the one place its shape is spelled.
 * The token may be a placeholder: `{token}` for INVITE_PAGE's default, `:token` for the web server's routes.
 */
export function invitePagePath(token: string): string {
  return `/invite/${token}`;
}

/** The path of the page's registration (or password reset) form, under the invite's page. */
export function inviteFormPath(token: string): string {
  return `${invitePagePath(token)}/register`;
}
