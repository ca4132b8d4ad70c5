/**
 * Password reset links in the console, for admins (docs/console.md, "Password reset links"): POST /console/reset
 * makes a link that sets a new password for the account `account` of the domain, in one call of
 * InviteService.createPasswordResetInvite with the session's actor, as chat `reset user@domain` and ad-hoc "Create
 * password reset link" (the same rules: admins only; never the bot's own account nor another admin's). The first
 * page then shows the link and its QR codes; a refusal is shown on it with the catalogue's status.
 */
import type { FastifyInstance } from "fastify";
import { type ConsoleRouteDeps, field } from "./console-deps.js";
import { type ConsoleKit, NOTICES, type Notices } from "./console-kit.js";

export function registerResetRoute(app: FastifyInstance, deps: ConsoleRouteDeps, kit: ConsoleKit): void {
  const { invites, log } = deps;
  const notices: Notices = {
    ...NOTICES,
    "password-reset-admins-only": { key: "console.error.not_allowed" },
    "password-reset-bad-jid": { key: "console.reset.error_bad_jid" },
    "password-reset-not-local": { key: "console.reset.error_not_local", values: { host: deps.domain } },
    "password-reset-admin-account": { key: "console.reset.error_admin" },
    "password-reset-bot-account": { key: "console.reset.error_bot" },
    "username-not-allowed": { key: "console.reset.error_username" },
  };

  app.post(
    "/console/reset",
    kit.action(async (request, open) => {
      const account = (field(request.body, "account") ?? "").trim();
      const created = await invites.createPasswordResetInvite(open.actor, open.actor.jid, account);
      // The link hands over an account: who made it, and for whom, is worth a line (never the token).
      log.info("Password reset link created", { by: open.actor.jid, account, via: "console" });
      return created;
    }, notices),
  );
}
