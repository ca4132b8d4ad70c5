/**
 * The HTTP API under /api/v1 (docs/api.md): JSON only, every request checked by its route's JSON schema and every
 * answer shaped by one, errors as RFC 9457 problems, and the OpenAPI 3.1 document made from the same schemas at
 * /api/v1/openapi.json. Registered as its own Fastify scope beside the web pages, so their HTML error pages,
 * form parsing and not-found page do not apply here, nor ours there.
 */
import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import type { Logger } from "../logger.js";
import { API_RATE_LIMIT } from "./auth.js";
import { registerEditRoutes } from "./edit-routes.js";
import { type InviteRouteDeps, registerInviteRoutes } from "./invite-routes.js";
import { problemHandler, problemOf, sendProblem } from "./problems.js";
import { registerSummaryRoute, type SummaryOf } from "./summary-route.js";
import { registerTreeRoutes } from "./tree-routes.js";
import { strictValidators } from "./validation.js";

export const API_PREFIX = "/api/v1";

export interface ApiDeps extends Omit<InviteRouteDeps, "host"> {
  readonly log: Logger;
  /** The version in the OpenAPI document (package.json's). */
  readonly version: string;
  /** The admins' summary (src/invites/stats.ts); no /summary without it. */
  readonly summary?: SummaryOf;
}

/** Adds /api/v1 to `app` (call before `app.ready()`). */
export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  const host = deps.invites.policy.domain;
  const log = deps.log.child({ part: "api" });
  app.register(
    async (api) => {
      // The web pages take forms only (src/web/server.ts); here JSON only, anything else 415.
      api.removeAllContentTypeParsers();
      api.addContentTypeParser("application/json", { parseAs: "string" }, api.getDefaultJsonParser("error", "error"));
      api.setValidatorCompiler(strictValidators());
      api.setErrorHandler(problemHandler(host, log));
      api.setNotFoundHandler((_request, reply) => sendProblem(reply, problemOf("page-not-found", { host })));
      await api.register(swagger, {
        openapi: {
          openapi: "3.1.0",
          info: {
            title: "xmpp-invite-bot API",
            version: deps.version,
            description: `Invites of ${host}. Keys are made in chat by an admin (apikey create NAME create|manage); ${API_RATE_LIMIT.max} requests a minute per key.`,
          },
          components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } },
        },
      });
      const routeDeps = { ...deps, log, host };
      registerInviteRoutes(api, routeDeps);
      registerEditRoutes(api, routeDeps);
      registerTreeRoutes(api, routeDeps);
      if (deps.summary !== undefined) registerSummaryRoute(api, routeDeps, deps.summary);
      api.get("/openapi.json", { schema: { hide: true } }, () => api.swagger());
    },
    { prefix: API_PREFIX },
  );
}
