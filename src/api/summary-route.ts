/**
 * The admins' summary over the API (scope manage, docs/api.md): `GET /api/v1/summary`, the invites created, used and
 * expired in the last 7 and 30 days (src/invites/stats.ts), one domain call as the key's admin.
 */
import type { FastifyInstance } from "fastify";
import type { Actor } from "../invites/permissions.js";
import type { InviteCounts } from "../invites/stats.js";
import { keyOf, requireKey } from "./auth.js";
import type { InviteRouteDeps } from "./invite-routes.js";
import { ALWAYS, problems, SECURITY } from "./schemas.js";

const COUNT = { type: "integer", minimum: 0 } as const;

export const SUMMARY_SCHEMA = {
  type: "object",
  required: ["windows"],
  additionalProperties: false,
  properties: {
    windows: {
      type: "array",
      items: {
        type: "object",
        required: ["days", "created", "used", "expired"],
        additionalProperties: false,
        properties: {
          days: { type: "integer", minimum: 1, description: "The window: the last DAYS days up to now" },
          created: { ...COUNT, description: "Invites created (password reset links are not counted)" },
          used: { ...COUNT, description: "Uses: new accounts, new contacts, and existing accounts that joined" },
          expired: { ...COUNT, description: "Invites whose expiry passed before they were used up or revoked" },
        },
      },
    },
  },
} as const;

/** The summary as the domain gives it (inviteSummary, with the store's logs). */
export type SummaryOf = (actor: Actor) => Promise<InviteCounts[]>;

export function registerSummaryRoute(api: FastifyInstance, deps: InviteRouteDeps, summaryOf: SummaryOf): void {
  api.get(
    "/summary",
    {
      preHandler: requireKey(deps, "manage"),
      schema: {
        summary: "How many invites were created, used and expired in the last 7 and 30 days (scope manage)",
        tags: ["invites"],
        security: SECURITY,
        response: { 200: SUMMARY_SCHEMA, ...problems(403, ...ALWAYS) },
      },
    },
    async (request) => ({ windows: await summaryOf(keyOf(request).actor) }),
  );
}
