/**
 * POST /console/edit (docs/console.md, "Editing an invite"): a new expiry, chosen like chat `invite edit` (1h, 1d,
 * 1w, 4w from now), and a new number of uses for a counted invite, in one call to InviteService.editInvite with the
 * session's actor: users their own invites, admins any, within what creating one allows (src/invites/editing.ts).
 * A refusal is shown next to the invite's form in the visitor's language.
 */
import type { FastifyInstance } from "fastify";
import { InviteError } from "../../errors.js";
import { nowSeconds, systemClock } from "../../invites/expiry.js";
import { EXPIRY_CHOICES, MAX_USES } from "../../invites/options.js";
import { isInviteId } from "../../invites/token.js";
import { type ConsoleRouteDeps, field } from "./console-deps.js";
import type { ConsoleKit, Notices } from "./console-kit.js";

const EDIT_NOTICES: Notices = {
  "invite-not-found": { key: "console.error.edit_not_found" },
  "invite-edit-empty": { key: "console.error.edit_empty" },
  "invite-expiry-not-allowed": { key: "console.error.expiry" },
  "invite-uses-not-counted": { key: "console.error.uses_not_counted" },
  "invite-uses-not-allowed": { key: "console.error.uses", values: { max: String(MAX_USES) } },
};

export function registerEditRoute(app: FastifyInstance, deps: ConsoleRouteDeps, kit: ConsoleKit): void {
  app.post(
    "/console/edit",
    kit.action(async (request, open) => {
      const body = request.body;
      const id = field(body, "id") ?? "";
      if (!isInviteId(id)) throw new InviteError("invite-not-found");
      // "" keeps what the invite has; a lifetime must be one of the choices the form offers.
      const ttl = field(body, "ttl") ?? "";
      const uses = (field(body, "uses") ?? "").trim();
      const choice = EXPIRY_CHOICES.find((each) => String(each.seconds) === ttl);
      if (ttl !== "" && choice === undefined) throw new InviteError("invite-expiry-not-allowed");
      const now = nowSeconds(deps.clock ?? systemClock);
      const change = {
        ...(choice === undefined ? {} : { expiresAt: now + choice.seconds }),
        // Anything but a whole number is refused by the domain (invite-uses-not-allowed).
        ...(uses === "" ? {} : { maxUses: Number(uses) }),
      };
      const edited = await deps.invites.editInvite(open.actor, id, change);
      deps.log.info("Invite edited", { id: edited.id, via: "console" });
      return undefined;
    }, EDIT_NOTICES),
  );
}
