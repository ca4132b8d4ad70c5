/**
 * What the console's routes share (docs/console.md): their dependencies, the session cookie, form tokens and the
 * checks every POST passes first. The session cookie holds the session id, which is stored only as its SHA-256
 * (src/invites/console-access.ts); it is HttpOnly, SameSite=Strict, Secure over https, and sent to /console only.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { CircleService } from "../../circles/service.js";
import { InviteError } from "../../errors.js";
import type { ApiKeyService } from "../../invites/api-key-service.js";
import { type ConsoleAccess, type LoginLink, SESSION_IDLE_SECONDS } from "../../invites/console-access.js";
import type { Clock } from "../../invites/expiry.js";
import type { Actor } from "../../invites/permissions.js";
import type { InviteService } from "../../invites/service.js";
import type { InviteCounts } from "../../invites/stats.js";
import type { HitCounter } from "../../invites/store.js";
import type { Logger } from "../../logger.js";
import type { CircleNames } from "../circle-names.js";
import { clientAddress } from "../client-address.js";
import { CSRF_COOKIE, csrfToken, csrfTokenMatches, fromOwnOrigin, isNonce, newNonce } from "../csrf.js";
import type { Pages } from "../invite-access.js";
import type { PageContext } from "../page-context.js";
import { checkLimits, clientKey, type Limit, type WebLimits } from "../rate-limits.js";

export const SESSION_COOKIE = "console_session";

export interface ConsoleRouteDeps {
  readonly access: ConsoleAccess;
  /** The same domain calls as chat and ad-hoc, one per action. */
  readonly invites: Pick<
    InviteService,
    | "listInvites"
    | "revokeInvite"
    | "createContactInvite"
    | "createAccountInvite"
    | "createPasswordResetInvite"
    | "editInvite"
    | "longestLifetime"
    | "inviteTree"
    | "revokeTree"
    | "approvals"
    | "ttlSeconds"
    | "usernameRule"
  >;
  /** The HTTP API's keys, which admins manage on /console/keys; no key pages without it. */
  readonly apiKeys?: Pick<ApiKeyService, "create" | "list" | "revoke">;
  /** The domain's clock, for a new expiry chosen as "1 day from now"; Date.now unless a test sets it. */
  readonly clock?: Clock;
  readonly circleNames?: CircleNames;
  /** The admins' summary (src/invites/stats.ts inviteSummary); no summary without it. */
  readonly summary?: (actor: Actor) => Promise<InviteCounts[]>;
  /** The circles (docs/circles.md), the same calls as chat and ad-hoc; no circle parts without it. */
  readonly circles?: ConsoleCircles;
  /** Sends a login link someone asked for on the page to `to`, as a chat message from the bot. */
  readonly sendLoginLink: (to: string, link: LoginLink) => Promise<void>;
  readonly csrfKey: Buffer;
  readonly https: boolean;
  /** WEB_URL's origin, which every POST must come from. */
  readonly origin: string;
  readonly basePath: string;
  readonly domain: string;
  readonly pages: Pages;
  readonly log: Logger;
  /** Per-address counters, in memory. */
  readonly addressHits: HitCounter;
  /** Counters shared by every instance (Redis): links sent to one address. */
  readonly hits: HitCounter;
  readonly limits: WebLimits;
}

export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

function attributes(deps: ConsoleRouteDeps, path: string, maxAge: number): string {
  return `Path=${path}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${deps.https ? "; Secure" : ""}`;
}

export function setSessionCookie(deps: ConsoleRouteDeps, reply: FastifyReply, sessionId: string): void {
  const path = `${deps.basePath}/console`;
  reply.header("set-cookie", `${SESSION_COOKIE}=${sessionId}; ${attributes(deps, path, SESSION_IDLE_SECONDS)}`);
}

export function clearSessionCookie(deps: ConsoleRouteDeps, reply: FastifyReply): void {
  reply.header("set-cookie", `${SESSION_COOKIE}=; ${attributes(deps, `${deps.basePath}/console`, 0)}`);
}

/** The browser's nonce for form tokens (the invite pages' cookie), set when it has none. */
export function nonceOf(deps: ConsoleRouteDeps, request: FastifyRequest, reply: FastifyReply): string {
  const existing = cookieValue(request, CSRF_COOKIE);
  if (isNonce(existing)) return existing;
  const nonce = newNonce();
  reply.header("set-cookie", `${CSRF_COOKIE}=${nonce}; ${attributes(deps, deps.basePath || "/", 86_400)}`);
  return nonce;
}

/** A form token for `subject` (a session's hash, a login link's hash, or the link form) in this browser. */
export function formToken(deps: ConsoleRouteDeps, subject: string, nonce: string): string {
  return csrfToken(deps.csrfKey, `console:${subject}`, nonce);
}

/** Whether a POST comes from our pages with the form token of `subject` for the nonce it carries. */
export function postAllowed(deps: ConsoleRouteDeps, request: FastifyRequest, subject: string): boolean {
  const headers = request.headers as Record<string, string | undefined>;
  if (!fromOwnOrigin(headers, deps.origin)) return false;
  const nonce = cookieValue(request, CSRF_COOKIE);
  const given = field(request.body, "csrf");
  return isNonce(nonce) && csrfTokenMatches(deps.csrfKey, `console:${subject}`, nonce, given);
}

/** The circles' calls the console makes, each with the session's actor. */
export type ConsoleCircles = Pick<CircleService, "list" | "create" | "addMember" | "removeMember" | "delete">;

/** Every value of a field a form may repeat (check boxes), in order. */
export function fields(body: unknown, name: string): string[] {
  if (typeof body !== "object" || body === null) return [];
  const value = (body as Record<string, unknown>)[name];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((each): each is string => typeof each === "string");
}

export function field(body: unknown, name: string): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/** Counts a hit for the visitor's address on each limit; false once the too-many page has been sent. */
export async function withinAddressLimits(
  deps: ConsoleRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: PageContext,
  limits: readonly { kind: string; limit: Limit }[],
): Promise<boolean> {
  const client = clientKey(clientAddress(request));
  const checks = limits.map(({ kind, limit }) => ({ key: `console-${kind}:${client}`, limit }));
  const decision = await checkLimits(deps.addressHits, checks);
  if (decision.allowed) return true;
  deps.log.info("Web rate limit reached", { client, route: request.routeOptions.url });
  deps.pages.sendError(reply, ctx, "too-many-requests", decision.retryAfterSeconds);
  return false;
}

/** Runs a domain call; its refusal (InviteError) is sent as the catalogue's page, anything else is the server's. */
export async function orRefusal<T>(
  deps: ConsoleRouteDeps,
  reply: FastifyReply,
  ctx: PageContext,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof InviteError)) throw error;
    deps.log.info("Console request refused", { code: error.code });
    deps.pages.sendError(reply, ctx, error.code);
    return undefined;
  }
}

/** What the console needs from the app; the web server adds the rest (server.ts). */
export type ConsoleParts = Pick<
  ConsoleRouteDeps,
  "access" | "invites" | "sendLoginLink" | "apiKeys" | "clock" | "circles" | "summary"
>;

/** The methods a console path answers (for 405's Allow header), or undefined when it is not one. */
export function consoleAllow(path: string): string | undefined {
  if (path === "/console" || path === "/console/tree") return "GET, HEAD";
  if (path === "/console/keys" || path === "/console/circles" || path === "/console/approvals")
    return "GET, HEAD, POST";
  if (/^\/console\/login\/[^/]+$/u.test(path)) return "GET, HEAD, POST";
  return /^\/console\/(?:link|logout|revoke|invites|edit|reset|tree\/revoke|keys\/revoke|circles\/(?:add|remove|delete|invite))$/u.test(
    path,
  )
    ? "POST"
    : undefined;
}
