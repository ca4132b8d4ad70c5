/**
 * The invite pages (docs/web.md, "Pages"): GET /invite/TOKEN (the landing page), GET /invite/TOKEN/register (the
 * form) and POST /invite/TOKEN/register (the account is made through the Registrar). Unknown, used, expired or
 * revoked tokens all get the same 404 page: nothing tells them apart.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { idOfHash } from "../invites/token.js";
import { inviteFormPath, invitePagePath } from "../invites/uri.js";
import type { UsernameRule } from "../invites/username.js";
import type { Registrar, RegistrationResult } from "../registration/registrar.js";
import { CSRF_COOKIE, csrfToken, csrfTokenMatches, fromOwnOrigin, isNonce, newNonce } from "./csrf.js";
import { formRefusal } from "./error-pages.js";
import { formProblems, readForm, usernameFor } from "./form-input.js";
import { inviteLinkHeaders } from "./headers.js";
import { type InviteAccessDeps, inviteAccess } from "./invite-access.js";
import { type InviteView, registers } from "./invite-view.js";
import type { PageContext } from "./page-context.js";
import { invitePage, registerPage } from "./pages/invite-page.js";
import { successPage } from "./pages/success-page.js";

export type { ContextFor, Pages } from "./invite-access.js";

export interface InviteRouteDeps extends InviteAccessDeps {
  readonly registrar: Registrar;
  readonly csrfKey: Buffer;
  readonly https: boolean;
  /** WEB_URL's origin, which every POST must come from. */
  readonly origin: string;
  readonly basePath: string;
  /** The username rule with this server's protected names (USERNAME_CONFUSABLES); none by default. */
  readonly usernameRule?: UsernameRule;
}

const NONCE_MAX_AGE_SECONDS = 86_400;

type Params = { token: string };

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** How a refusal of the server shows: its status, and its message next to the right field. */
function refusalOf(ctx: PageContext, view: InviteView, result: Exclude<RegistrationResult, { ok: true }>) {
  return formRefusal(ctx, result.reason, {
    username: view.username ?? "",
    ...(result.serverText === undefined ? {} : { reason: result.serverText }),
  });
}

export function registerInviteRoutes(app: FastifyInstance, deps: InviteRouteDeps): void {
  const { pages, log } = deps;
  const cookieAttributes = `Path=${deps.basePath || "/"}; HttpOnly; SameSite=Strict; Max-Age=${NONCE_MAX_AGE_SECONDS}${deps.https ? "; Secure" : ""}`;

  /** The visitor's nonce for form tokens, set as a cookie when they have none yet. */
  const nonceOf = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = cookieValue(request, CSRF_COOKIE);
    if (isNonce(existing)) return existing;
    const nonce = newNonce();
    reply.header("set-cookie", `${CSRF_COOKIE}=${nonce}; ${cookieAttributes}`);
    return nonce;
  };

  const { inviteFor, attemptAllowed } = inviteAccess(deps);

  const html = (reply: FastifyReply, view: InviteView, status: number, body: string) =>
    reply
      .code(status)
      .headers(view.kind === "reset" ? {} : inviteLinkHeaders(view.uri))
      .type("text/html; charset=utf-8")
      .send(body);

  app.options<{ Params: Params }>(invitePagePath(":token"), (_request, reply) =>
    reply
      .code(204)
      .headers({ ...inviteLinkHeaders("xmpp:"), "access-control-allow-methods": "GET, HEAD" })
      .removeHeader("link")
      .send(),
  );

  app.get<{ Params: Params }>(invitePagePath(":token"), async (request, reply) => {
    const ctx = pages.contextFor(request, invitePagePath(request.params.token));
    const view = await inviteFor(request, reply, ctx, false);
    if (view === undefined) return reply;
    // Only a reset link's landing page holds a form (the others link to it).
    const csrf = view.kind === "reset" ? csrfToken(deps.csrfKey, view.hash, nonceOf(request, reply)) : "";
    return html(reply, view, 200, invitePage(ctx, view, { username: view.username ?? "", errors: {}, csrf }));
  });

  app.get<{ Params: Params }>(inviteFormPath(":token"), async (request, reply) => {
    const ctx = pages.contextFor(request, inviteFormPath(request.params.token));
    const view = await inviteFor(request, reply, ctx, false);
    if (view === undefined) return reply;
    if (!registers(view)) return reply.redirect(`${deps.basePath}${invitePagePath(view.token)}?lang=${ctx.lang}`, 303);
    const app = (request.query as Record<string, unknown>).app;
    const csrf = csrfToken(deps.csrfKey, view.hash, nonceOf(request, reply));
    const form = { username: view.username ?? "", errors: {}, csrf, app: typeof app === "string" ? app : undefined };
    return html(reply, view, 200, registerPage(ctx, view, form));
  });

  app.post<{ Params: Params }>(inviteFormPath(":token"), async (request, reply) => {
    const ctx = pages.contextFor(request, inviteFormPath(request.params.token));
    // A forged POST (another site's form or script) is refused before anything else is looked at.
    if (!fromOwnOrigin(request.headers as Record<string, string | undefined>, deps.origin)) {
      log.info("Refusing a web form posted from another site", { origin: request.headers.origin });
      return pages.sendError(reply, ctx, "cross-site-post");
    }
    const view = await inviteFor(request, reply, ctx, true);
    if (view === undefined) return reply;
    if (!registers(view)) return pages.sendError(reply, ctx, "invite-not-usable");
    if (!(await attemptAllowed(request, reply, ctx, view))) return reply;
    const input = readForm(request.body);
    const nonce = cookieValue(request, CSRF_COOKIE);
    const freshCsrf = csrfToken(deps.csrfKey, view.hash, nonceOf(request, reply));
    const typed = { username: usernameFor(view, input), csrf: freshCsrf, app: input.app };
    if (!isNonce(nonce) || !csrfTokenMatches(deps.csrfKey, view.hash, nonce, input.csrf)) {
      log.info("Refusing a web form without a valid form token", { invite: idOfHash(view.hash) });
      const { status, errors } = formRefusal(ctx, "form-expired");
      return html(reply, view, status, registerPage(ctx, view, { ...typed, errors }));
    }
    const problems = formProblems(view, input, deps.usernameRule);
    if (problems.registers === undefined || problems.password !== undefined) {
      const { username, password } = problems;
      const { status, errors } = formRefusal(ctx, "form-invalid", {}, { username, password });
      return html(reply, view, status, registerPage(ctx, view, { ...typed, errors }));
    }
    // The name as the server stores it ("Straße" → "strasse"): what is registered and what the success page shows.
    const username = problems.registers;
    const request_ = { token: view.token, username, password: input.password };
    const result =
      view.kind === "reset" ? await deps.registrar.resetPassword(request_) : await deps.registrar.register(request_);
    if (!result.ok) {
      const { status, errors } = refusalOf(ctx, view, result);
      return html(reply, view, status, registerPage(ctx, view, { ...typed, errors }));
    }
    const address = `${username}@${deps.domain}`;
    const appName = ctx.site.apps.find((app) => app.id === input.app)?.name;
    return reply
      .code(200)
      .type("text/html; charset=utf-8")
      .send(successPage(ctx, view, address, appName));
  });
}
