/**
 * A link that sets a new password for an existing account (Prosody's `create_account_reset`, mod_invites.lua),
 * admins only, saved by creation.ts.
 */
import { InviteError } from "../errors.js";
import { parseBareJid } from "../jid.js";
import { type CreationDeps, create } from "./creation.js";
import type { CreatedInvite } from "./invite.js";
import { type Actor, mayCreateAccountInvite } from "./permissions.js";
import { accountInviteUri } from "./uri.js";
import { allowedUsername } from "./username.js";

/** Prosody's default lifetime of a password reset invite (mod_invites.lua). */
export const PASSWORD_RESET_TTL = 86_400;

/**
 * A link that sets a new password for an existing account: Prosody's
 * `create_account_reset` (additional_data.allow_reset), valid for one day.
 */
export async function createPasswordResetInvite(
  deps: CreationDeps,
  actor: Actor,
  source: string,
  account: string,
): Promise<CreatedInvite> {
  if (!mayCreateAccountInvite(actor)) throw new InviteError("password-reset-admins-only");
  const { domain } = deps.policy;
  const target = parseBareJid(account.trim());
  if (target === undefined) throw new InviteError("password-reset-bad-jid");
  if (target.domain !== domain) throw new InviteError("password-reset-not-local");
  const bare = `${target.local}@${target.domain}`;
  // A reset link hands the account to whoever holds it: never the bot's own, nor another admin's.
  if (bare === deps.policy.botJid) throw new InviteError("password-reset-bot-account");
  if (deps.policy.admins.has(bare) && bare !== actor.jid) {
    throw new InviteError("password-reset-admin-account");
  }
  // The account exists: its name is not judged against lookalikes, but a link for a name no page accepts is useless.
  const username = allowedUsername(target.local, {});
  return create(
    deps,
    (token) => ({
      type: "register",
      jid: `${username}@${domain}`,
      allow_registration: true,
      uri: accountInviteUri(domain, token, username),
    }),
    source,
    { data: { allow_reset: username }, ttlSeconds: Math.min(deps.ttlSeconds, PASSWORD_RESET_TTL) },
  );
}
