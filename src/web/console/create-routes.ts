/**
 * Creating invites in the console (docs/console.md, "The first page"): POST /console/invites makes a contact
 * invite (as `invite`) or, for admins, an account invite with its options and the circles it joins (as ad-hoc
 * "Create new account invite" and its `circles` field); POST /console/circles/invite makes a contact invite into
 * circles of the visitor's own (as ad-hoc "Invite to a circle" and chat `invite to NAME`). Each is one call of
 * InviteService with the session's actor; the first page then shows the invite's link and QR codes.
 */
import type { FastifyInstance } from "fastify";
import { InviteError } from "../../errors.js";
import { validateAccountInviteOptions } from "../../invites/options.js";
import { mayInviteNewUsers } from "../../invites/permissions.js";
import { type ConsoleRouteDeps, field, fields } from "./console-deps.js";
import { type ConsoleKit, NOTICES, type Notices } from "./console-kit.js";

/** What was entered for an account invite is not right: the domain's words, shown on the page. */
export class OptionProblems extends Error {}

/** Besides the first page's refusals: a circle that is gone meanwhile, or (for a user) not one of theirs. */
const CIRCLE_NOTICES: Notices = {
  ...NOTICES,
  "circle-not-found": { key: "console.circles.error_not_found" },
  "circle-ambiguous": { key: "console.circles.error_not_found" },
};

export function registerCreateRoutes(app: FastifyInstance, deps: ConsoleRouteDeps, kit: ConsoleKit): void {
  const { invites } = deps;

  app.post(
    "/console/invites",
    kit.action(async (request, open) => {
      const { actor } = open;
      const body = request.body;
      if (field(body, "kind") !== "account") return invites.createContactInvite(actor, actor.jid);
      const raw = {
        ttlSeconds: Number(field(body, "ttl")),
        maxUses: field(body, "uses") ?? "",
        note: field(body, "note") ?? "",
        // Circle ids, as the ad-hoc form's `circles` field gives them; the domain checks each.
        circles: fields(body, "circles"),
      };
      const checked = validateAccountInviteOptions(raw, invites.ttlSeconds, invites.usernameRule);
      if (checked.options === undefined) throw new OptionProblems(checked.problems.join("; "));
      return invites.createAccountInvite(actor, actor.jid, checked.options);
    }, CIRCLE_NOTICES),
  );

  app.post(
    "/console/circles/invite",
    kit.action(async (request, open) => {
      const { actor } = open;
      // As ad-hoc "Invite to a circle": for those who may invite new users (a circle is joined by registering).
      if (actor.localUser === undefined) throw new InviteError("not-local-user");
      if (!mayInviteNewUsers(actor, deps.access.policy)) throw new InviteError("account-invites-admins-only");
      const circle = (field(request.body, "circle") ?? "").trim();
      if (circle === "") throw new InviteError("circle-not-found", { params: { name: circle } });
      return invites.createContactInvite(actor, actor.jid, { circles: [circle] });
    }, CIRCLE_NOTICES),
  );
}
