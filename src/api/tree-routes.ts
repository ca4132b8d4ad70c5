/**
 * An account's invite tree over the API (scope manage, docs/api.md): `GET /api/v1/accounts/JID/tree` reads it and
 * `POST /api/v1/accounts/JID/tree/revoke` revokes every pending invite of the account and of everyone in its tree,
 * each one call of InviteService as the key's admin, with its rules and limits (src/invites/tree.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { normaliseBareJid } from "../jid.js";
import { keyOf, requireKey } from "./auth.js";
import { JID_PARAMS_SCHEMA, TREE_REVOCATION_SCHEMA, TREE_SCHEMA } from "./edit-tree-schemas.js";
import type { InviteRouteDeps } from "./invite-routes.js";
import { problemOf, sendProblem } from "./problems.js";
import { ALWAYS, problems, SECURITY } from "./schemas.js";

/** The path's JID, normalised as chat's `tree user@domain` does; undefined when it is none (RFC 7622 §3). */
function rootOf(request: FastifyRequest): string | undefined {
  return normaliseBareJid((request.params as { jid: string }).jid);
}

export function registerTreeRoutes(api: FastifyInstance, deps: InviteRouteDeps): void {
  const managing = requireKey(deps, "manage");
  const notAJid = (jid: unknown) =>
    problemOf("form-invalid", { host: deps.host }, `params/jid "${String(jid)}" is not a JID; nothing was changed`);

  api.get(
    "/accounts/:jid/tree",
    {
      preHandler: managing,
      schema: {
        summary: "Everyone an account invited, and whom they invited, down any depth (scope manage)",
        tags: ["accounts"],
        security: SECURITY,
        params: JID_PARAMS_SCHEMA,
        response: { 200: TREE_SCHEMA, ...problems(400, 403, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const root = rootOf(request);
      if (root === undefined) return sendProblem(reply, notAJid((request.params as { jid: string }).jid));
      return deps.invites.inviteTree(keyOf(request).actor, root);
    },
  );

  api.post(
    "/accounts/:jid/tree/revoke",
    {
      preHandler: managing,
      schema: {
        summary: "Revoke every pending invite of an account and of everyone in its invite tree (scope manage)",
        tags: ["accounts"],
        security: SECURITY,
        params: JID_PARAMS_SCHEMA,
        response: { 200: TREE_REVOCATION_SCHEMA, ...problems(400, 403, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const root = rootOf(request);
      if (root === undefined) return sendProblem(reply, notAJid((request.params as { jid: string }).jid));
      const key = keyOf(request);
      const revocation = await deps.invites.revokeTree(key.actor, root);
      deps.log.info("Invite tree revoked over the API", {
        tree: root,
        count: revocation.revoked,
        accounts: revocation.accounts,
        key: key.key.name,
      });
      return revocation;
    },
  );
}
