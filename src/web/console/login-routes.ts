/**
 * Getting into the console (docs/console.md): GET /console/login/TOKEN asks "Log in as …?" and uses nothing up;
 * POST /console/login/TOKEN uses the link up and starts the session; POST /console/link has a link sent over XMPP
 * to an address typed on the page. A used, expired or unknown link gets one and the same 404 page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeError } from "../../errors.js";
import { consoleServes } from "../../invites/console-access.js";
import { actorFor } from "../../invites/permissions.js";
import { tokenHash } from "../../invites/token.js";
import { normaliseBareJid } from "../../jid.js";
import type { PageContext } from "../page-context.js";
import {
  type ConsoleRouteDeps,
  field,
  formToken,
  nonceOf,
  orRefusal,
  postAllowed,
  setSessionCookie,
  withinAddressLimits,
} from "./console-deps.js";
import { confirmLoginPage, consolePath, invalidLoginPage, linkSentPage } from "./pages/login-pages.js";

type Params = { token: string };

/** Login links sent to one address, from anywhere, per 10 minutes: asking on the page cannot flood anyone. */
export const LINKS_PER_ADDRESS = { limit: 3, windowMs: 600_000 };
/** The subject of the link form's token: it has no session or link to be bound to. */
const LINK_FORM = "link-form";

const MAX_ADDRESS_LENGTH = 3071;

export function registerLoginRoutes(app: FastifyInstance, deps: ConsoleRouteDeps): void {
  const { pages, access, limits, log } = deps;
  const send = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type("text/html; charset=utf-8").send(body);
  // The status of an invite link that does not work (404): nothing tells a used link from one never made.
  const invalidStatus = describeError("invite-not-usable").http.status;
  const invalid = (reply: FastifyReply, ctx: PageContext) => send(reply, invalidStatus, invalidLoginPage(ctx));

  app.get<{ Params: Params }>("/console/login/:token", async (request, reply) => {
    const ctx = pages.contextFor(request, `/console/login/${request.params.token}`);
    if (!(await withinAddressLimits(deps, request, reply, ctx, [{ kind: "views", limit: limits.viewsPerAddress }]))) {
      return reply;
    }
    const { token } = request.params;
    const actor = await orRefusal(deps, reply, ctx, () => access.loginFor(token));
    if (reply.sent) return reply;
    if (actor === undefined) return invalid(reply, ctx);
    const csrf = formToken(deps, tokenHash(token), nonceOf(deps, request, reply));
    return send(reply, 200, confirmLoginPage(ctx, token, actor.jid, csrf));
  });

  app.post<{ Params: Params }>("/console/login/:token", async (request, reply) => {
    const { token } = request.params;
    const ctx = pages.contextFor(request, `/console/login/${token}`);
    if (!(await withinAddressLimits(deps, request, reply, ctx, [{ kind: "posts", limit: limits.postsPerAddress }]))) {
      return reply;
    }
    if (!postAllowed(deps, request, tokenHash(token))) {
      log.info("Refusing a console login without a valid form token");
      return pages.sendError(reply, ctx, "cross-site-post");
    }
    const opened = await orRefusal(deps, reply, ctx, () => access.logIn(token));
    if (reply.sent) return reply;
    if (opened === undefined) return invalid(reply, ctx);
    log.info("Console session started", { jid: opened.open.actor.jid });
    setSessionCookie(deps, reply, opened.sessionId);
    return reply.redirect(consolePath(ctx), 303);
  });

  app.post("/console/link", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console");
    if (!(await withinAddressLimits(deps, request, reply, ctx, [{ kind: "posts", limit: limits.postsPerAddress }]))) {
      return reply;
    }
    if (!postAllowed(deps, request, LINK_FORM)) return pages.sendError(reply, ctx, "cross-site-post");
    const typed = (field(request.body, "address") ?? "").trim().slice(0, MAX_ADDRESS_LENGTH);
    // Not awaited: the answer takes as long whether a message goes out or not, and says the same.
    void sendLink(deps, typed).catch((error: unknown) =>
      log.warn("Console login link not sent", { error: (error as Error).message }),
    );
    return send(reply, 200, linkSentPage(ctx, typed));
  });
}

/** The link form's token for this browser (the page that shows the form). */
export function linkFormToken(deps: ConsoleRouteDeps, request: FastifyRequest, reply: FastifyReply): string {
  return formToken(deps, LINK_FORM, nonceOf(deps, request, reply));
}

/** Sends a login link to `typed` if it is an account of the domain the bot serves, within its limit. */
async function sendLink(deps: ConsoleRouteDeps, typed: string): Promise<void> {
  const jid = normaliseBareJid(typed);
  if (jid === undefined) return;
  const actor = actorFor(jid, deps.access.policy);
  if (actor.localUser === undefined || !consoleServes(actor)) return;
  const { count } = await deps.hits.hit(`console-link:${jid}`, LINKS_PER_ADDRESS.windowMs);
  if (count > LINKS_PER_ADDRESS.limit) {
    deps.log.info("Console login links to one address over their limit", { jid });
    return;
  }
  const link = await deps.access.loginLink(actor);
  if (link === undefined) return;
  await deps.sendLoginLink(jid, link);
  deps.log.info("Console login link sent on request", { jid });
}
