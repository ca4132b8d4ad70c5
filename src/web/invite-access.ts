/**
 * What an invite page asks before it shows anything (docs/web.md, "Safety"): the visitor's address within its
 * limits, the invite from the domain (src/invites/invite-links.ts), and for a POST the invite's own limit. Each
 * step either gives what the page needs, or sends the page saying why not (the catalogue's, src/errors.ts).
 */

import type { FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, InviteError } from "../errors.js";
import { guardedCounter } from "../invites/guarded.js";
import type { InviteLinks } from "../invites/invite-links.js";
import { circleIdsOf } from "../invites/record.js";
import type { HitCounter } from "../invites/store.js";
import { idOfHash } from "../invites/token.js";
import type { Logger } from "../logger.js";
import type { CircleNames } from "./circle-names.js";
import { clientAddress } from "./client-address.js";
import { type InviteView, inviteViewOf } from "./invite-view.js";
import type { PageContext } from "./page-context.js";
import { checkLimits, clientKey, type Limit, type WebLimits } from "./rate-limits.js";

/** Builds a page context for this request: ?lang= first (the language switch), then Accept-Language. */
export type ContextFor = (request: FastifyRequest, path: string) => PageContext;

/** What the routes take from the server that serves them (server.ts): page contexts and error pages. */
export interface Pages {
  contextFor: ContextFor;
  /** Sends the message page of `code` with its status (and Retry-After for too-many). */
  sendError(reply: FastifyReply, ctx: PageContext, code: ErrorCode, retryAfterSeconds?: number): FastifyReply;
}

export interface InviteAccessDeps {
  readonly domain: string;
  /** The domain's invites: the one that a link's token opens, if it can still be used. */
  readonly invites: Pick<InviteLinks, "pendingInviteFor">;
  /** The names of an invite's circles (circle-names.ts); none without it. */
  readonly circleNames?: CircleNames;
  /** Per-address counters, in memory (address-counters.ts). */
  readonly addressHits: HitCounter;
  /** Per-invite counters, in Redis. */
  readonly hits: HitCounter;
  readonly limits: WebLimits;
  readonly log: Logger;
  readonly pages: Pages;
}

type Request = FastifyRequest<{ Params: { token: string } }>;

export interface InviteAccess {
  /** The invite of the request's token, or undefined once a page saying why not has been sent. */
  inviteFor(request: Request, reply: FastifyReply, ctx: PageContext, posting: boolean): Promise<InviteView | undefined>;
  /** Whether one more attempt on this invite is within its limit; false once a page saying why not has been sent. */
  attemptAllowed(request: Request, reply: FastifyReply, ctx: PageContext, view: InviteView): Promise<boolean>;
}

export function inviteAccess(deps: InviteAccessDeps): InviteAccess {
  const { pages, limits, log } = deps;
  const hits = guardedCounter(deps.hits);

  /** Counts a hit on each of `checks`; false once the too-many page has been sent (`about` goes into the log line). */
  const withinLimits = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    counter: HitCounter,
    checks: { key: string; limit: Limit }[],
    about: Record<string, string>,
  ): Promise<boolean> => {
    const decision = await checkLimits(counter, checks);
    if (decision.allowed) return true;
    log.info("Web rate limit reached", { ...about, route: request.routeOptions.url });
    pages.sendError(reply, ctx, "too-many-requests", decision.retryAfterSeconds);
    return false;
  };

  /** Sends the page of the domain's refusal; anything else is not ours to answer (the server's error page). */
  const refuse = (reply: FastifyReply, ctx: PageContext, error: unknown): undefined => {
    if (!(error instanceof InviteError)) throw error;
    if (error.code === "store-unavailable") {
      log.warn("Web page without the invite store", { error: (error.cause as Error | undefined)?.message });
    }
    pages.sendError(reply, ctx, error.code);
    return undefined;
  };

  return {
    // The visitor's address is held to its limits first, in memory, before anything costs a Redis round trip.
    async inviteFor(request, reply, ctx, posting) {
      const client = clientKey(clientAddress(request));
      const checks = [{ key: `views:${client}`, limit: limits.viewsPerAddress }];
      if (posting) checks.push({ key: `posts:${client}`, limit: limits.postsPerAddress });
      if (!(await withinLimits(request, reply, ctx, deps.addressHits, checks, { client }))) return undefined;
      try {
        const invite = await deps.invites.pendingInviteFor(request.params.token);
        const circles = (await deps.circleNames?.(circleIdsOf(invite.record))) ?? [];
        return inviteViewOf(invite, deps.domain, circles);
      } catch (error) {
        return refuse(reply, ctx, error);
      }
    },

    // Counted in Redis, shared by every bot instance, and only for an invite that exists (its signed record was
    // found): so a visitor cannot make counters for invites that are not there (docs/security.md).
    async attemptAllowed(request, reply, ctx, view) {
      try {
        const checks = [{ key: `invite:${view.hash}`, limit: limits.postsPerInvite }];
        return await withinLimits(request, reply, ctx, hits, checks, { invite: idOfHash(view.hash) });
      } catch (error) {
        return refuse(reply, ctx, error) ?? false;
      }
    },
  };
}
