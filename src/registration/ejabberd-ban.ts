/**
 * ejabberd's own ban (mod_admin_extra's `ban_account`) through its HTTP API, ahead of the XEP-0133 lock
 * (account-control.ts), where the bot has the API (EJABBERD_API_URL) — the way ejabberd's admins stop an account.
 * On ejabberd 23.01 `ban_account` ends the account's sessions and sets a random password, keeping the reason (its
 * code: kick_sessions, then set_random_password): a password reset link reopens it. From 24.06 the account is banned
 * until `unban_account`, which `enable` sends. Both must be allowed to the bot in `api_permissions`
 * (docs/servers.md); a refusal says so, account by account. Deleting a rejected account stays XEP-0133's.
 */
import type { AccountControl, AccountOutcome } from "../invites/account-control.js";
import { type EjabberdApiCall, userAndHost } from "./ejabberd-api.js";

/** The reason ejabberd keeps with the ban (`get_ban_details`). */
const REASON = "Stopped by an administrator through the invite bot (its invite tree)";

async function outcomeOf(response: Response, command: string, remedy: string): Promise<AccountOutcome> {
  if (response.ok) return { ok: true };
  const text = (await response.text()).replace(/\s+/gu, " ").trim().slice(0, 200);
  return { ok: false, why: `ejabberd's API refused ${command} (HTTP ${response.status}: ${text}); ${remedy}` };
}

export function ejabberdBanControl(call: EjabberdApiCall, xep0133: AccountControl): AccountControl {
  const asked = async (command: string, args: object, remedy: string): Promise<AccountOutcome> => {
    try {
      return await outcomeOf(await call(command, args), command, remedy);
    } catch (error) {
      return { ok: false, why: `ejabberd's API did not answer ${command}: ${(error as Error).message}` };
    }
  };
  return {
    support: async () => ({ way: "ban", enable: true }),
    block: (jid, way) =>
      way === "ban"
        ? asked("ban_account", { ...userAndHost(jid), reason: REASON }, "the bot needs it in api_permissions")
        : xep0133.block(jid, way),
    enable: (jid) =>
      asked(
        "unban_account",
        userAndHost(jid),
        "ejabberd 24.06 and later have it; on an older one a password reset link (reset user@domain) reopens the account",
      ),
    remove: (jid) => xep0133.remove(jid),
  };
}
