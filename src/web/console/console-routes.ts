/**
 * The console itself (docs/console.md): GET /console (the first page with a session, how to log in without),
 * POST /console/invites (create), POST /console/revoke and POST /console/logout. Each action is one domain call
 * with the session's actor, under the same permission rules as chat and ad-hoc; each POST needs our origin and
 * the session's form token.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeError, type ErrorCode, InviteError } from "../../errors.js";
import type { OpenSession } from "../../invites/console-access.js";
import type { CreatedInvite } from "../../invites/invite.js";
import { EXPIRY_CHOICES, validateAccountInviteOptions } from "../../invites/options.js";
import { mayCreateAccountInvite, mayCreateContactInvite } from "../../invites/permissions.js";
import { isInviteId } from "../../invites/token.js";
import type { PageContext } from "../page-context.js";
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
import { linkFormToken, registerLoginRoutes } from "./login-routes.js";
import { type ConsoleView, consolePage } from "./pages/console-page.js";
import { askLinkPage, consolePath } from "./pages/login-pages.js";

/** Refusals the page shows above the console (in the visitor's language) instead of a page of their own. */
const NOTICES: Partial<Record<ErrorCode, string>> = {
  "invite-not-found": "console.error.not_found",
  "not-local-user": "console.error.not_allowed",
  "contact-invites-admins-only": "console.error.not_allowed",
  "account-invites-admins-only": "console.error.not_allowed",
  "quota-exceeded": "console.error.quota",
  "form-invalid": "console.error.options",
};

export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleRouteDeps): void {
  const { pages, access, invites, log } = deps;
  registerLoginRoutes(app, deps);
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);

  /** The request's session, or undefined once the page saying why not has been sent. */
  const sessionFor = async (request: FastifyRequest, reply: FastifyReply, ctx: PageContext) => {
    const open = await orRefusal(deps, reply, ctx, () => access.sessionOf(cookieValue(request, SESSION_COOKIE)));
    if (reply.sent) return undefined;
    if (open === undefined) {
      clearSessionCookie(deps, reply);
      html(reply, 200, askLinkPage(ctx, linkFormToken(deps, request, reply)));
    }
    return open;
  };

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    open: OpenSession,
    extra: Pick<ConsoleView, "created" | "notice"> = {},
    status = 200,
  ) => {
    const { actor } = open;
    const [list, joined] = await Promise.all([invites.listInvites(actor), access.joinedThrough(actor)]);
    const listed = await Promise.all(
      list.invites.map(async (invite) => ({
        invite,
        circles: (await deps.circleNames?.(invite.stored.record.additional_data?.groups ?? [])) ?? [],
      })),
    );
    const ttl = invites.ttlSeconds;
    const others = EXPIRY_CHOICES.filter((choice) => choice.seconds !== ttl).map(({ seconds, short }) => ({
      seconds,
      label: ctx.t(`console.lifetime.${short}`),
    }));
    const view: ConsoleView = {
      jid: actor.jid,
      csrf: formToken(deps, open.hash, nonceOf(deps, request, reply)),
      invites: listed,
      total: list.total,
      joined,
      mayContact: mayCreateContactInvite(actor, access.policy),
      mayAccount: mayCreateAccountInvite(actor),
      lifetimes: [{ seconds: ttl, label: ctx.t("console.create.default_lifetime") }, ...others],
      ...extra,
    };
    return html(reply, status, consolePage(ctx, view));
  };

  /** A POST of the console: the session and its form token first, then `run` (refusals shown on the page). */
  const action =
    (run: (request: FastifyRequest, open: OpenSession, reply: FastifyReply) => Promise<CreatedInvite | undefined>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const ctx = pages.contextFor(request, "/console");
      const open = await sessionFor(request, reply, ctx);
      if (open === undefined) return reply;
      if (!postAllowed(deps, request, open.hash)) {
        log.info("Refusing a console form without a valid form token");
        return pages.sendError(reply, ctx, "cross-site-post");
      }
      try {
        const created = await run(request, open, reply);
        if (created === undefined) return reply.redirect(consolePath(ctx), 303);
        return await render(request, reply, ctx, open, {
          created: { url: created.landingUrl, uri: created.invite.uri },
        });
      } catch (error) {
        // The page again, with the refusal above it and the catalogue's status (form-invalid for the options).
        const code =
          error instanceof OptionProblems ? "form-invalid" : error instanceof InviteError ? error.code : undefined;
        const key = code === undefined ? undefined : NOTICES[code];
        if (code !== undefined && key !== undefined) {
          const notice = ctx.t(key, error instanceof OptionProblems ? { problems: error.message } : {});
          return render(request, reply, ctx, open, { notice }, describeError(code).http.status);
        }
        return orRefusal(deps, reply, ctx, () => Promise.reject(error));
      }
    };

  app.get("/console", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console");
    const limit = [{ kind: "views", limit: deps.limits.viewsPerAddress }];
    if (!(await withinAddressLimits(deps, request, reply, ctx, limit))) return reply;
    const open = await sessionFor(request, reply, ctx);
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

  app.post(
    "/console/invites",
    action(async (request, open) => {
      const { actor } = open;
      const body = request.body;
      if (field(body, "kind") !== "account") return invites.createContactInvite(actor, actor.jid);
      const raw = {
        ttlSeconds: Number(field(body, "ttl")),
        maxUses: field(body, "uses") ?? "",
        note: field(body, "note") ?? "",
      };
      const checked = validateAccountInviteOptions(raw, invites.ttlSeconds, invites.usernameRule);
      if (checked.options === undefined) throw new OptionProblems(checked.problems.join("; "));
      return invites.createAccountInvite(actor, actor.jid, checked.options);
    }),
  );
}

/** What was entered for an account invite is not right: the domain's words, shown on the page. */
class OptionProblems extends Error {}
