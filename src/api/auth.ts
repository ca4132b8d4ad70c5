/**
 * Who is asking (docs/api.md, "Authentication"): `Authorization: Bearer KEY` (RFC 6750 §2.1), the key looked up by
 * its hash (src/invites/api-key-service.ts), counted per key in the shared counters (60 requests a minute on every
 * instance together), then held against the route's scope. A missing, unknown or revoked key is 401 with
 * `WWW-Authenticate: Bearer` (RFC 6750 §3); a key whose scope does not cover the route is 403.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ErrorParams } from "../errors.js";
import type { ApiKeyService, AuthenticatedKey } from "../invites/api-key-service.js";
import type { ApiKeyScope } from "../invites/api-keys.js";
import { guardedCounter } from "../invites/guarded.js";
import type { HitCounter } from "../invites/store.js";
import { problemOf, sendProblem } from "./problems.js";

/** Requests per key per window, counted by every instance together. */
export const API_RATE_LIMIT = { max: 60, windowMs: 60_000 } as const;

const REALM = 'realm="xmpp-invite-bot"';

export interface AuthDeps {
  readonly keys: Pick<ApiKeyService, "authenticate">;
  readonly hits: HitCounter;
  readonly host: string;
}

const authenticated = new WeakMap<FastifyRequest, AuthenticatedKey>();

/** The key a request was let in with; only routes behind `requireKey` ask. */
export function keyOf(request: FastifyRequest): AuthenticatedKey {
  const key = authenticated.get(request);
  if (key === undefined) throw new Error("API route without requireKey");
  return key;
}

/** The key in `Authorization: Bearer KEY`; the scheme is case-insensitive (RFC 9110 §11.1). */
export function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/iu.exec(header ?? "");
  return match?.[1];
}

/** A preHandler that lets a request through only with a usable key of `scope` (manage covers create), in its limit. */
export function requireKey(deps: AuthDeps, scope: ApiKeyScope) {
  const hits = guardedCounter(deps.hits);
  const params: ErrorParams = { host: deps.host };
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const presented = bearerOf(request.headers.authorization);
    const key = presented === undefined ? undefined : await deps.keys.authenticate(presented);
    if (key === undefined) {
      // RFC 6750 §3.1: no error code when the request had no credentials at all.
      const error = presented === undefined ? "" : ', error="invalid_token"';
      reply.header("www-authenticate", `Bearer ${REALM}${error}`);
      return sendProblem(reply, problemOf("api-key-missing", params));
    }
    const { count, resetInMs } = await hits.hit(`api-key:${key.hash}`, API_RATE_LIMIT.windowMs);
    if (count > API_RATE_LIMIT.max) {
      reply.header("retry-after", String(Math.max(1, Math.ceil(resetInMs / 1000))));
      return sendProblem(reply, problemOf("too-many-requests", params));
    }
    if (scope === "manage" && key.key.scope !== "manage") {
      reply.header("www-authenticate", `Bearer ${REALM}, error="insufficient_scope", scope="manage"`);
      return sendProblem(reply, problemOf("api-key-scope", params));
    }
    authenticated.set(request, key);
    return undefined;
  };
}
