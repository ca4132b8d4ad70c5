/**
 * The invite pages (docs/web.md, "Pages"): GET /invite/TOKEN (the landing page), GET /invite/TOKEN/register (the
 * form) and POST /invite/TOKEN/register (the account is made through the Registrar). Unknown, used, expired or
 * revoked tokens all get the same 404 page: nothing tells them apart.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type HitCounter, type InviteStore, StoreUnavailableError } from "../invites/store.js";
import { idOfHash, isPlausibleToken } from "../invites/token.js";
import type { UsernameRule } from "../invites/username.js";
import type { Logger } from "../logger.js";
import type { Registrar, RegistrationResult } from "../registration/registrar.js";
import { clientAddress } from "./client-address.js";
import { CSRF_COOKIE, csrfToken, csrfTokenMatches, fromOwnOrigin, isNonce, newNonce } from "./csrf.js";
import { formProblems, readForm, usernameFor } from "./form-input.js";
import { inviteLinkHeaders } from "./headers.js";
import { type InviteView, inviteViewOf, registers } from "./invite-view.js";
import type { PageContext } from "./page-context.js";
import { invitePage, registerPage } from "./pages/invite-page.js";
import type { Message } from "./pages/message-page.js";
import type { FormState } from "./pages/register-form.js";
import { successPage } from "./pages/success-page.js";
import { checkLimits, clientKey, type Limit, type WebLimits } from "./rate-limits.js";

/** Builds a page context for this request: ?lang= first (the language switch), then Accept-Language. */
export type ContextFor = (request: FastifyRequest, path: string) => PageContext;

/** What the routes take from the server that serves them (server.ts): page contexts and message pages. */
export interface Pages {
  contextFor: ContextFor;
  /** Sends a message page with `status` (and Retry-After for too-many). */
  sendMessage(reply: FastifyReply, ctx: PageContext, status: number, message: Message): FastifyReply;
}

export interface InviteRouteDeps {
  readonly domain: string;
  readonly store: Pick<InviteStore, "findByToken">;
  readonly registrar: Registrar;
  /** Per-address counters, in memory (address-counters.ts). */
  readonly addressHits: HitCounter;
  /** Per-invite counters, in Redis. */
  readonly hits: HitCounter;
  readonly csrfKey: Buffer;
  readonly limits: WebLimits;
  readonly log: Logger;
  readonly https: boolean;
  /** WEB_URL's origin, which every POST must come from. */
  readonly origin: string;
  readonly basePath: string;
  readonly pages: Pages;
  /** The username rule with this server's protected names (USERNAME_CONFUSABLES); none by default. */
  readonly usernameRule?: UsernameRule;
}

const NONCE_MAX_AGE_SECONDS = 86_400;

type Params = { token: string };
type Request = FastifyRequest<{ Params: Params }>;

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** How each refusal of the server shows: an HTTP status, and the message next to the right field. */
function refusalOf(
  ctx: PageContext,
  view: InviteView,
  result: Exclude<RegistrationResult, { ok: true }>,
): { status: number; errors: FormState["errors"] } {
  switch (result.reason) {
    case "username-taken":
      return { status: 409, errors: { username: ctx.t("error.username_taken") } };
    case "username-invalid":
      return { status: 400, errors: { username: ctx.t("error.username_invalid") } };
    case "wrong-username":
      return { status: 400, errors: { username: ctx.t("error.wrong_username", { username: view.username ?? "" }) } };
    case "password-refused":
      return {
        status: 400,
        errors: {
          password:
            result.serverText === undefined
              ? ctx.t("error.password_refused")
              : ctx.t("error.password_policy", { reason: result.serverText }),
        },
      };
    case "invite-invalid":
      return { status: 410, errors: { form: ctx.t("error.invite_used") } };
    case "throttled":
      return { status: 429, errors: { form: ctx.t("page.too_many.body", { minutes: "10" }) } };
    case "unavailable":
      return { status: 503, errors: { form: ctx.t("error.unavailable") } };
  }
}

export function registerInviteRoutes(app: FastifyInstance, deps: InviteRouteDeps): void {
  const { pages, limits, log } = deps;
  const cookieAttributes = `Path=${deps.basePath || "/"}; HttpOnly; SameSite=Strict; Max-Age=${NONCE_MAX_AGE_SECONDS}${deps.https ? "; Secure" : ""}`;

  /** The visitor's nonce for form tokens, set as a cookie when they have none yet. */
  const nonceOf = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = cookieValue(request, CSRF_COOKIE);
    if (isNonce(existing)) return existing;
    const nonce = newNonce();
    reply.header("set-cookie", `${CSRF_COOKIE}=${nonce}; ${cookieAttributes}`);
    return nonce;
  };

  /**
   * Counts a hit on each of `checks`; false once the 429 page has been sent (`about` goes into the log line).
   */
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
    pages.sendMessage(reply, ctx, 429, { kind: "too-many", retryAfterSeconds: decision.retryAfterSeconds });
    return false;
  };

  /**
   * The invite of the request's token, or undefined once a page saying why not has been sent. The visitor's
   * address is held to its limits first, in memory, before anything costs a Redis round trip.
   */
  const inviteFor = async (
    request: Request,
    reply: FastifyReply,
    ctx: PageContext,
    posting: boolean,
  ): Promise<InviteView | undefined> => {
    const { token } = request.params;
    const client = clientKey(clientAddress(request));
    const checks = [{ key: `views:${client}`, limit: limits.viewsPerAddress }];
    if (posting) checks.push({ key: `posts:${client}`, limit: limits.postsPerAddress });
    if (!(await withinLimits(request, reply, ctx, deps.addressHits, checks, { client }))) return undefined;
    try {
      // A token that cannot be one is answered 404 without asking the store.
      const stored = isPlausibleToken(token) ? await deps.store.findByToken(token) : undefined;
      const view = stored === undefined ? undefined : inviteViewOf(stored, token, deps.domain);
      if (view === undefined) pages.sendMessage(reply, ctx, 404, { kind: "invalid" });
      return view;
    } catch (error) {
      return unavailable(reply, ctx, error);
    }
  };

  /**
   * Counts an attempt on an invite that exists (its signed record was found), in Redis, shared by every bot
   * instance: so a visitor can only make a counter for an invite that is there (docs/security.md).
   */
  const attemptAllowed = async (request: Request, reply: FastifyReply, ctx: PageContext, view: InviteView) => {
    try {
      const checks = [{ key: `invite:${view.hash}`, limit: limits.postsPerInvite }];
      return await withinLimits(request, reply, ctx, deps.hits, checks, { invite: idOfHash(view.hash) });
    } catch (error) {
      return unavailable(reply, ctx, error) ?? false;
    }
  };

  const unavailable = (reply: FastifyReply, ctx: PageContext, error: unknown): undefined => {
    if (!(error instanceof StoreUnavailableError)) throw error;
    log.warn("Web page without the invite store", { error: error.message });
    pages.sendMessage(reply, ctx, 503, { kind: "unavailable" });
    return undefined;
  };

  const html = (reply: FastifyReply, view: InviteView, status: number, body: string) =>
    reply
      .code(status)
      .headers(view.kind === "reset" ? {} : inviteLinkHeaders(view.uri))
      .type("text/html; charset=utf-8")
      .send(body);

  app.options<{ Params: Params }>("/invite/:token", (_request, reply) =>
    reply
      .code(204)
      .headers({ ...inviteLinkHeaders("xmpp:"), "access-control-allow-methods": "GET, HEAD" })
      .removeHeader("link")
      .send(),
  );

  app.get<{ Params: Params }>("/invite/:token", async (request, reply) => {
    const ctx = pages.contextFor(request, `/invite/${request.params.token}`);
    const view = await inviteFor(request, reply, ctx, false);
    if (view === undefined) return reply;
    // Only a reset link's landing page holds a form (the others link to it).
    const csrf = view.kind === "reset" ? csrfToken(deps.csrfKey, view.hash, nonceOf(request, reply)) : "";
    return html(reply, view, 200, invitePage(ctx, view, { username: view.username ?? "", errors: {}, csrf }));
  });

  app.get<{ Params: Params }>("/invite/:token/register", async (request, reply) => {
    const ctx = pages.contextFor(request, `/invite/${request.params.token}/register`);
    const view = await inviteFor(request, reply, ctx, false);
    if (view === undefined) return reply;
    if (!registers(view)) return reply.redirect(`${deps.basePath}/invite/${view.token}?lang=${ctx.lang}`, 303);
    const app = (request.query as Record<string, unknown>).app;
    const csrf = csrfToken(deps.csrfKey, view.hash, nonceOf(request, reply));
    const form = { username: view.username ?? "", errors: {}, csrf, app: typeof app === "string" ? app : undefined };
    return html(reply, view, 200, registerPage(ctx, view, form));
  });

  app.post<{ Params: Params }>("/invite/:token/register", async (request, reply) => {
    const ctx = pages.contextFor(request, `/invite/${request.params.token}/register`);
    // A forged POST (another site's form or script) is refused before anything else is looked at.
    if (!fromOwnOrigin(request.headers as Record<string, string | undefined>, deps.origin)) {
      log.info("Refusing a web form posted from another site", { origin: request.headers.origin });
      return pages.sendMessage(reply, ctx, 403, { kind: "error", status: 403 });
    }
    const view = await inviteFor(request, reply, ctx, true);
    if (view === undefined) return reply;
    if (!registers(view)) return pages.sendMessage(reply, ctx, 404, { kind: "invalid" });
    if (!(await attemptAllowed(request, reply, ctx, view))) return reply;
    const input = readForm(request.body);
    const nonce = cookieValue(request, CSRF_COOKIE);
    const freshCsrf = csrfToken(deps.csrfKey, view.hash, nonceOf(request, reply));
    const typed = { username: usernameFor(view, input), csrf: freshCsrf, app: input.app };
    if (!isNonce(nonce) || !csrfTokenMatches(deps.csrfKey, view.hash, nonce, input.csrf)) {
      log.info("Refusing a web form without a valid form token", { invite: idOfHash(view.hash) });
      return html(
        reply,
        view,
        403,
        registerPage(ctx, view, { ...typed, errors: { form: ctx.t("error.form_expired") } }),
      );
    }
    const problems = formProblems(view, input, deps.usernameRule);
    if (problems.registers === undefined || problems.password !== undefined) {
      const errors = {
        ...(problems.username === undefined ? {} : { username: ctx.t(problems.username) }),
        ...(problems.password === undefined ? {} : { password: ctx.t(problems.password) }),
      };
      return html(reply, view, 400, registerPage(ctx, view, { ...typed, errors }));
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
