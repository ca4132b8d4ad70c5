/**
 * The console itself (docs/console.md): GET /console (the first page with a session, how to log in without),
 * POST /console/revoke and POST /console/logout; creating invites, reset links, editing, the invite tree, circles
 * and the API keys have files of their own, given the kit made here (console-kit.ts). Each action is one domain call
 * with the session's actor, under the same permission rules as chat and ad-hoc; each POST needs our origin and
 * the session's form token.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeError, InviteError } from "../../errors.js";
import type { OpenSession } from "../../invites/console-access.js";
import { nowSeconds, systemClock } from "../../invites/expiry.js";
import { EXPIRY_CHOICES } from "../../invites/options.js";
import { mayCreateAccountInvite, mayCreateContactInvite, mayInviteNewUsers } from "../../invites/permissions.js";
import { circleIdsOf } from "../../invites/record.js";
import { isInviteId } from "../../invites/token.js";
import type { PageContext } from "../page-context.js";
import { registerApprovalRoutes } from "./approval-routes.js";
import { registerCircleRoutes } from "./circle-routes.js";
import {
  type ConsoleRouteDeps,
  clearSessionCookie,
  cookieValue,
  field,
  formToken,
  nonceOf,
  orRefusal,
  postAllowed,
  SESSION_COOKIE,
  withinAddressLimits,
} from "./console-deps.js";
import { type ConsoleKit, NOTICES } from "./console-kit.js";
import { OptionProblems, registerCreateRoutes } from "./create-routes.js";
import { registerEditRoute } from "./edit-route.js";
import { registerKeyRoutes } from "./key-routes.js";
import { listFilterOf, listQueryOf } from "./list-query.js";
import { linkFormToken, registerLoginRoutes } from "./login-routes.js";
import { type ConsoleView, consolePage } from "./pages/console-page.js";
import { askLinkPage, consolePath } from "./pages/login-pages.js";
import { registerResetRoute } from "./reset-route.js";
import { registerTreeRoutes } from "./tree-routes.js";

export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleRouteDeps): void {
  const { pages, access, invites, log } = deps;
  registerLoginRoutes(app, deps);
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);
  const csrfFor = (request: FastifyRequest, reply: FastifyReply, open: OpenSession) =>
    formToken(deps, open.hash, nonceOf(deps, request, reply));

  const sessionFor = async (request: FastifyRequest, reply: FastifyReply, ctx: PageContext) => {
    const open = await orRefusal(deps, reply, ctx, () => access.sessionOf(cookieValue(request, SESSION_COOKIE)));
    if (reply.sent) return undefined;
    if (open === undefined) {
      clearSessionCookie(deps, reply);
      html(reply, 200, askLinkPage(ctx, linkFormToken(deps, request, reply)));
    }
    return open;
  };

  const viewedSession = async (request: FastifyRequest, reply: FastifyReply, ctx: PageContext) => {
    const limit = [{ kind: "views", limit: deps.limits.viewsPerAddress }];
    if (!(await withinAddressLimits(deps, request, reply, ctx, limit))) return undefined;
    return sessionFor(request, reply, ctx);
  };

  const checkedPost = async (request: FastifyRequest, reply: FastifyReply, ctx: PageContext) => {
    const open = await sessionFor(request, reply, ctx);
    if (open === undefined) return undefined;
    if (postAllowed(deps, request, open.hash)) return open;
    log.info("Refusing a console form without a valid form token");
    pages.sendError(reply, ctx, "cross-site-post");
    return undefined;
  };

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    open: OpenSession,
    extra: Pick<ConsoleView, "created" | "notice" | "noticeFor"> = {},
    status = 200,
  ) => {
    const { actor } = open;
    const query = listQueryOf(request, actor);
    const now = nowSeconds(deps.clock ?? systemClock);
    const [list, joined, circles, summary] = await Promise.all([
      invites.listInvites(actor, listFilterOf(query, now)),
      access.joinedThrough(actor),
      deps.circles?.list(actor) ?? [],
      actor.isAdmin ? deps.summary?.(actor) : undefined,
    ]);
    const ttl = invites.ttlSeconds;
    const listed = await Promise.all(
      list.invites.map(async (invite) => ({
        invite,
        circles: (await deps.circleNames?.(circleIdsOf(invite.stored.record))) ?? [],
        longest: invites.longestLifetime(actor, invite.kind),
      })),
    );
    const label = (short: string) => ctx.t(`console.lifetime.${short}`);
    const others = EXPIRY_CHOICES.filter((choice) => choice.seconds !== ttl).map(({ seconds, short }) => ({
      seconds,
      label: label(short),
    }));
    const view: ConsoleView = {
      jid: actor.jid,
      isAdmin: actor.isAdmin,
      csrf: csrfFor(request, reply, open),
      invites: listed,
      total: list.total,
      query,
      pageSize: list.pageSize,
      joined,
      ...(summary === undefined ? {} : { summary }),
      mayContact: mayCreateContactInvite(actor, access.policy),
      mayAccount: mayCreateAccountInvite(actor),
      mayKeys: actor.isAdmin && deps.apiKeys !== undefined,
      mayReset: mayCreateAccountInvite(actor),
      // The circles this visitor sees (admins: all), to invite into; none: no circle parts at all.
      circles: circles.map(({ id, name }) => ({ id, name })),
      mayCircleInvite: actor.localUser !== undefined && mayInviteNewUsers(actor, access.policy),
      lifetimes: [{ seconds: ttl, label: ctx.t("console.create.default_lifetime") }, ...others],
      expiries: EXPIRY_CHOICES.map(({ seconds, short }) => ({ seconds, label: label(short) })),
      ...extra,
    };
    return html(reply, status, consolePage(ctx, view));
  };

  const action: ConsoleKit["action"] =
    (run, notices = NOTICES) =>
    async (request, reply) => {
      const ctx = pages.contextFor(request, "/console");
      const open = await checkedPost(request, reply, ctx);
      if (open === undefined) return reply;
      try {
        const created = await run(request, open, reply);
        if (created === undefined) return reply.redirect(consolePath(ctx), 303);
        const reset = created.invite.additional_data?.allow_reset;
        const resetFor = reset === undefined ? {} : { resetFor: `${reset}@${deps.domain}` };
        return await render(request, reply, ctx, open, {
          created: { url: created.landingUrl, uri: created.invite.uri, ...resetFor },
        });
      } catch (error) {
        // The page again, with the refusal on it and the catalogue's status (form-invalid for the options).
        const code =
          error instanceof OptionProblems ? "form-invalid" : error instanceof InviteError ? error.code : undefined;
        const notice = code === undefined ? undefined : notices[code];
        if (code !== undefined && notice !== undefined) {
          const values = error instanceof OptionProblems ? { problems: error.message } : (notice.values ?? {});
          const extra = { notice: ctx.t(notice.key, values), noticeFor: field(request.body, "id") };
          return render(request, reply, ctx, open, extra, describeError(code).http.status);
        }
        return orRefusal(deps, reply, ctx, () => Promise.reject(error));
      }
    };

  const kit: ConsoleKit = { html, sessionFor, viewedSession, csrfFor, action, checkedPost };
  registerEditRoute(app, deps, kit);
  registerTreeRoutes(app, deps, kit);
  registerApprovalRoutes(app, deps, kit);
  if (deps.apiKeys !== undefined) registerKeyRoutes(app, deps, deps.apiKeys, kit);
  registerCreateRoutes(app, deps, kit);
  registerResetRoute(app, deps, kit);
  if (deps.circles !== undefined) registerCircleRoutes(app, deps, deps.circles, kit);

  app.get("/console", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console");
    const open = await viewedSession(request, reply, ctx);
    if (open === undefined) return reply;
    return orRefusal(deps, reply, ctx, () => render(request, reply, ctx, open));
  });

  app.post(
    "/console/logout",
    action(async (_request, open, reply) => {
      await access.logOut(open);
      clearSessionCookie(deps, reply);
      log.info("Console session ended", { jid: open.actor.jid });
      return undefined;
    }),
  );

  app.post(
    "/console/revoke",
    action(async (request, open) => {
      const id = field(request.body, "id") ?? "";
      if (!isInviteId(id)) throw new InviteError("invite-not-found");
      const revoked = await invites.revokeInvite(open.actor, id);
      log.info("Invites revoked", { count: 1, id: revoked.id, via: "console" });
      return undefined;
    }),
  );
}
