/**
 * `PATCH /api/v1/invites/ID` (scope manage, docs/api.md): a new expiry, a new number of uses, or both, for one
 * pending invite: one call of InviteService.editInvite as the key's admin, with its rules and errors
 * (src/invites/editing.ts). The answer is the invite as `GET /api/v1/invites/ID` then shows it.
 */
import type { FastifyInstance } from "fastify";
import type { InviteChange } from "../invites/editing.js";
import { keyOf, requireKey } from "./auth.js";
import { parseDateTime } from "./date-time.js";
import { EDIT_BODY_SCHEMA } from "./edit-tree-schemas.js";
import { inviteJson } from "./invite-json.js";
import type { InviteRouteDeps } from "./invite-routes.js";
import { BodyProblems } from "./problems.js";
import { ALWAYS, ID_PARAMS_SCHEMA, INVITE_SCHEMA, problems, SECURITY } from "./schemas.js";

interface EditBody {
  readonly expires?: string;
  readonly maxUses?: number;
}

/** The body as the domain's change; a date-time of the right shape but no real day (February 30th) is 400. */
function changeOf(body: EditBody): InviteChange {
  if (body.expires === undefined) return body.maxUses === undefined ? {} : { maxUses: body.maxUses };
  const expiresAt = parseDateTime(body.expires);
  if (expiresAt === undefined)
    throw new BodyProblems([`body/expires "${body.expires}" is not a real date and time`], "nothing was changed");
  return { expiresAt, ...(body.maxUses === undefined ? {} : { maxUses: body.maxUses }) };
}

export function registerEditRoutes(api: FastifyInstance, deps: InviteRouteDeps): void {
  api.patch(
    "/invites/:id",
    {
      preHandler: requireKey(deps, "manage"),
      schema: {
        summary: "Change a pending invite's expiry, its number of uses, or both (scope manage)",
        tags: ["invites"],
        security: SECURITY,
        params: ID_PARAMS_SCHEMA,
        body: EDIT_BODY_SCHEMA,
        response: { 200: INVITE_SCHEMA, ...problems(400, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const key = keyOf(request);
      const edited = await deps.invites.editInvite(key.actor, id, changeOf(request.body as EditBody));
      deps.log.info("Invite edited over the API", { id: edited.id, key: key.key.name });
      return inviteJson(edited);
    },
  );
}
