/**
 * The invite routes of /api/v1 (docs/api.md): each one call of InviteService with the key's admin as the actor.
 * `create` keys may only POST; `manage` keys may do everything.
 */
import type { FastifyInstance } from "fastify";
import type { PendingInvite } from "../invites/pending.js";
import type { Actor } from "../invites/permissions.js";
import type { InviteService } from "../invites/service.js";
import type { Logger } from "../logger.js";
import { type AuthDeps, keyOf, requireKey } from "./auth.js";
import { type CreateBody, type CreatingService, createInvite } from "./create-invite.js";
import { parseDateTime } from "./date-time.js";
import { createdInviteJson, inviteJson, listJson } from "./invite-json.js";
import { BodyProblems } from "./problems.js";
import {
  ALWAYS,
  CREATE_BODY_SCHEMA,
  CREATED_INVITE_SCHEMA,
  ID_PARAMS_SCHEMA,
  INVITE_LIST_SCHEMA,
  INVITE_SCHEMA,
  LIST_QUERY_SCHEMA,
  problems,
  SECURITY,
} from "./schemas.js";

interface ListQueryString {
  readonly page: number;
  readonly inviter?: string;
  readonly kind?: PendingInvite["kind"];
  readonly expires_before?: string;
}

export interface InviteRouteDeps extends AuthDeps {
  readonly invites: CreatingService &
    Pick<InviteService, "listInvites" | "revokeInvite" | "editInvite" | "inviteTree" | "revokeTree" | "accounts">;
  /** One pending invite by id (src/invites/invite-lookup.ts findInvite). */
  readonly findInvite: (actor: Actor, id: string) => Promise<PendingInvite>;
  readonly log: Logger;
}

export function registerInviteRoutes(api: FastifyInstance, deps: InviteRouteDeps): void {
  const { invites } = deps;
  const creating = requireKey(deps, "create");
  const managing = requireKey(deps, "manage");

  api.post(
    "/invites",
    {
      preHandler: creating,
      schema: {
        summary: "Create an invite (scope create or manage); the only answer with its links",
        tags: ["invites"],
        security: SECURITY,
        body: CREATE_BODY_SCHEMA,
        response: { 201: CREATED_INVITE_SCHEMA, ...problems(400, 403, 404, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const json = createdInviteJson(await createInvite(invites, key, request.body as CreateBody));
      deps.log.info("Invite created over the API", { id: json.id, kind: json.kind, key: key.key.name });
      return reply.code(201).send(json);
    },
  );

  api.get(
    "/invites",
    {
      preHandler: managing,
      schema: {
        summary: "List pending invites, 25 a page, soonest to expire first (scope manage)",
        tags: ["invites"],
        security: SECURITY,
        querystring: LIST_QUERY_SCHEMA,
        response: { 200: INVITE_LIST_SCHEMA, ...problems(400, 403, ...ALWAYS) },
      },
    },
    async (request) => {
      const query = request.query as ListQueryString;
      const expiresBy = query.expires_before === undefined ? undefined : parseDateTime(query.expires_before);
      if (query.expires_before !== undefined && expiresBy === undefined) {
        const problem = `querystring/expires_before "${query.expires_before}" is not a real date and time`;
        throw new BodyProblems([problem], "no invites were listed");
      }
      const list = await invites.listInvites(keyOf(request).actor, {
        page: query.page,
        ...(query.inviter === undefined ? {} : { inviter: query.inviter.toLowerCase() }),
        ...(query.kind === undefined ? {} : { kind: query.kind }),
        ...(expiresBy === undefined ? {} : { expiresBy }),
      });
      return listJson(list);
    },
  );

  api.get(
    "/invites/:id",
    {
      preHandler: managing,
      schema: {
        summary: "Read one pending invite by its id (scope manage)",
        tags: ["invites"],
        security: SECURITY,
        params: ID_PARAMS_SCHEMA,
        response: { 200: INVITE_SCHEMA, ...problems(400, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return inviteJson(await deps.findInvite(keyOf(request).actor, id));
    },
  );

  api.delete(
    "/invites/:id",
    {
      preHandler: managing,
      schema: {
        summary: "Revoke one pending invite by its id (scope manage)",
        tags: ["invites"],
        security: SECURITY,
        params: ID_PARAMS_SCHEMA,
        response: { 204: { type: "null", description: "Revoked" }, ...problems(400, 403, 404, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const key = keyOf(request);
      const revoked = await invites.revokeInvite(key.actor, id);
      deps.log.info("Invite revoked over the API", { id: revoked.id, key: key.key.name });
      return reply.code(204).send();
    },
  );
}
