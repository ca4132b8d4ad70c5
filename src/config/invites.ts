/** Who administers the bot (ADMIN_JIDS) and where an invite's link leads (INVITE_PAGE). */
import { invitePagePath } from "../invites/uri.js";
import { normaliseBareJid } from "../jid.js";
import type { Reader } from "./reader.js";
import type { WebConfig } from "./types.js";

export function readAdmins(reader: Reader): Set<string> {
  const admins = new Set<string>();
  for (const entry of (reader.optional("ADMIN_JIDS") ?? "").split(",")) {
    const address = entry.trim();
    if (address === "") continue;
    const jid = normaliseBareJid(address);
    if (jid === undefined) {
      reader.problems.push(`ADMIN_JIDS: "${address}" is not a bare JID (expected user@domain, without /resource)`);
    } else {
      admins.add(jid);
    }
  }
  return admins;
}

/** INVITE_PAGE, else the bot's own invite page under WEB_URL (src/web/invite-routes.ts serves it). */
export function readInvitePage(reader: Reader, web: WebConfig | undefined): string | undefined {
  const page = reader.optional("INVITE_PAGE");
  if (page === undefined) return web === undefined ? undefined : `${web.url}${invitePagePath("{token}")}`;
  if (!page.includes("{token}") && !page.includes("{uri}")) {
    reader.problems.push(`INVITE_PAGE must contain {token} or {uri}, got "${page}"`);
  }
  const sample = page.replaceAll("{token}", "t").replaceAll("{uri}", "u").replaceAll("{host}", "example.org");
  reader.url("INVITE_PAGE", sample, ["https:", "http:"], "https://{host}/invite?{token}");
  return page;
}
