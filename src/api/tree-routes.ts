/**
 * An account's invite tree over the API (scope manage, docs/api.md): `GET /api/v1/accounts/JID/tree` reads it with
 * its counts and dates, `POST /api/v1/accounts/JID/tree/revoke` revokes every pending invite of the account and of
 * everyone in its tree, and `POST /api/v1/accounts/JID/tree/disable` also disables (or locks) the accounts below it;
 * each one call of InviteService as the key's admin, with its rules and limits (src/invites/tree*.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { formatDateTime } from "../invites/expiry.js";
import type { DetailedNode, DetailedTree } from "../invites/tree-details.js";
import { normaliseBareJid } from "../jid.js";
import { keyOf, requireKey } from "./auth.js";
import { JID_PARAMS_SCHEMA, TREE_DISABLING_SCHEMA, TREE_REVOCATION_SCHEMA, TREE_SCHEMA } from "./edit-tree-schemas.js";
import type { InviteRouteDeps } from "./invite-routes.js";
import { problemOf, sendProblem } from "./problems.js";
import { ALWAYS, problems, SECURITY } from "./schemas.js";

/** The path's JID, normalised as chat's `tree user@domain` does; undefined when it is none (RFC 7622 §3). */
function rootOf(request: FastifyRequest): string | undefined {
  return normaliseBareJid((request.params as { jid: string }).jid);
}

/** Dates as the API writes them (RFC 3339, as invites' `expires`), not Unix seconds. */
function nodeJson({ joined, ...node }: DetailedNode) {
  return { ...node, ...(joined === undefined ? {} : { joined: formatDateTime(joined) }) };
}

function treeJson(tree: DetailedTree) {
  return {
    ...tree,
    nodes: tree.nodes.map(nodeJson),
    newest: tree.newest.map(({ jid, joined }) => nodeJson({ jid, joined } as DetailedNode)),
  };
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
      return treeJson(await deps.invites.inviteTree(keyOf(request).actor, root));
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

  api.post(
    "/accounts/:jid/tree/disable",
    {
      preHandler: managing,
      schema: {
        summary: "Revoke the tree's pending invites and disable (or lock) every account below the root (scope manage)",
        tags: ["accounts"],
        security: SECURITY,
        params: JID_PARAMS_SCHEMA,
        response: { 200: TREE_DISABLING_SCHEMA, ...problems(400, 403, 501, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const root = rootOf(request);
      if (root === undefined) return sendProblem(reply, notAJid((request.params as { jid: string }).jid));
      const key = keyOf(request);
      const result = await deps.invites.accounts.disableTree(key.actor, root);
      deps.log.info("Accounts of an invite tree disabled over the API", {
        tree: root,
        way: result.way,
        revoked: result.revoked,
        done: result.done.length,
        failed: result.failed.length,
        key: key.key.name,
      });
      return result;
    },
  );
}
