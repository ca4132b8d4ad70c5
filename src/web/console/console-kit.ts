/**
 * What the console's routes share once registerConsoleRoutes has made it (console-routes.ts): sending a page, the
 * request's session, the first page, and the wrapper every POST that answers with the first page goes through.
 * Each group of routes (edit-route.ts, tree-routes.ts, key-routes.ts) takes it, so each file keeps one concern.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../../errors.js";
import type { OpenSession } from "../../invites/console-access.js";
import type { CreatedInvite } from "../../invites/invite.js";
import type { PageContext } from "../page-context.js";
import type { ConsoleView } from "./pages/console-page.js";

/** Refusals a page shows above the console (or next to the form they answer), as locale keys; values added. */
export type Notices = Partial<Record<ErrorCode, { readonly key: string; readonly values?: Record<string, string> }>>;

/** Refusals the page shows above the console (in the visitor's language) instead of a page of their own. */
export const NOTICES: Notices = {
  "invite-not-found": { key: "console.error.not_found" },
  "not-local-user": { key: "console.error.not_allowed" },
  "contact-invites-admins-only": { key: "console.error.not_allowed" },
  "account-invites-admins-only": { key: "console.error.not_allowed" },
  "quota-exceeded": { key: "console.error.quota" },
  "pending-invites-exceeded": { key: "console.error.pending" },
  "account-too-new": { key: "console.error.account_age" },
  "invite-tree-full": { key: "console.error.tree" },
  "invite-chain-too-fast": { key: "console.error.pace" },
  "form-invalid": { key: "console.error.options" },
};

export type ConsoleHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

export interface ConsoleKit {
  html(reply: FastifyReply, status: number, body: string): FastifyReply;
  /** The request's session, or undefined once the page saying why not has been sent. */
  sessionFor(request: FastifyRequest, reply: FastifyReply, ctx: PageContext): Promise<OpenSession | undefined>;
  /** A GET of a console page: within the per-address view limit, then the session (undefined once answered). */
  viewedSession(request: FastifyRequest, reply: FastifyReply, ctx: PageContext): Promise<OpenSession | undefined>;
  /** A session's form token in this browser, for a page's forms. */
  csrfFor(request: FastifyRequest, reply: FastifyReply, open: OpenSession): string;
  /**
   * A POST answered with the first page: the session and its form token first, then `run` (a created invite is
   * shown; nothing redirects to the first page; a refusal in `notices` is shown on it, next to the invite of the
   * form's `id` when it is listed).
   */
  action(
    run: (request: FastifyRequest, open: OpenSession, reply: FastifyReply) => Promise<CreatedInvite | undefined>,
    notices?: Notices,
  ): ConsoleHandler;
  /** A POST of another page: the session and the form token checked; `run` answers (or undefined once refused). */
  checkedPost(request: FastifyRequest, reply: FastifyReply, ctx: PageContext): Promise<OpenSession | undefined>;
}

export type { ConsoleView };
