/**
 * The circles in the console (docs/console.md, "Circles"): GET /console/circles lists the circles the visitor sees
 * (admins: every one; users: their own), each with its members and group chats; admins create one (POST
 * /console/circles), add and remove a member (/console/circles/add, /remove) and delete one, after asking
 * (/console/circles/delete, then confirm=yes). Each action is one call of CircleService with the session's actor,
 * as chat `circle create`, `circle add`, `circle remove` and `circle delete`; a refusal is shown on the page with the
 * catalogue's status.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeError, type ErrorCode, InviteError } from "../../errors.js";
import type { OpenSession } from "../../invites/console-access.js";
import type { PageContext } from "../page-context.js";
import { type ConsoleCircles, type ConsoleRouteDeps, field, orRefusal } from "./console-deps.js";
import type { ConsoleKit } from "./console-kit.js";
import { type CirclesView, circlesPage, confirmDeletePage } from "./pages/circles-page.js";

/** Refusals shown on the circles' page (locale keys); the error's params fill them. Others get the error page. */
const NOTICES: Partial<Record<ErrorCode, string>> = {
  "circles-admins-only": "console.circles.error_admins_only",
  "circle-not-found": "console.circles.error_not_found",
  "circle-ambiguous": "console.circles.error_not_found",
  "circle-name-invalid": "console.circles.error_name_invalid",
  "circle-name-taken": "console.circles.error_name_taken",
  "circle-member-not-local": "console.circles.error_member",
};

type Outcome = Pick<CirclesView, "done" | "notice">;

export function registerCircleRoutes(
  app: FastifyInstance,
  deps: ConsoleRouteDeps,
  circles: ConsoleCircles,
  kit: ConsoleKit,
): void {
  const { pages, log } = deps;

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    open: OpenSession,
    outcome: Outcome = {},
    status = 200,
  ) => {
    const listed = await circles.list(open.actor);
    const csrf = kit.csrfFor(request, reply, open);
    return kit.html(
      reply,
      status,
      circlesPage(ctx, { circles: listed, isAdmin: open.actor.isAdmin, csrf, ...outcome }),
    );
  };

  /** A POST of the page: the session and its form token, then `run`; a refusal of NOTICES is shown on the page. */
  type Run = (
    request: FastifyRequest,
    reply: FastifyReply,
    open: OpenSession,
    ctx: PageContext,
  ) => Promise<Outcome | string>;
  const post = (path: string, run: Run) => {
    app.post(path, async (request, reply) => {
      const ctx = pages.contextFor(request, "/console/circles");
      const open = await kit.checkedPost(request, reply, ctx);
      if (open === undefined) return reply;
      try {
        const outcome = await run(request, reply, open, ctx);
        if (typeof outcome === "string") return kit.html(reply, 200, outcome);
        return await show(request, reply, ctx, open, outcome);
      } catch (error) {
        const key = error instanceof InviteError ? NOTICES[error.code] : undefined;
        if (!(error instanceof InviteError) || key === undefined)
          return orRefusal(deps, reply, ctx, () => Promise.reject(error));
        log.info("Console request refused", { code: error.code });
        const notice = ctx.t(key, { host: deps.domain, name: "", ...error.params });
        return show(request, reply, ctx, open, { notice }, describeError(error.code).http.status);
      }
    });
  };

  /** The form's `circle` (an id), and its name for the answer once the domain has acted on it. */
  const refOf = (body: unknown) => (field(body, "circle") ?? "").trim();
  const nameOf = async (open: OpenSession, ref: string) => {
    const circle = (await circles.list(open.actor)).find(({ id }) => id === ref);
    if (circle === undefined) throw new InviteError("circle-not-found", { params: { name: ref } });
    return circle.name;
  };

  app.get("/console/circles", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console/circles");
    const open = await kit.viewedSession(request, reply, ctx);
    if (open === undefined) return reply;
    return orRefusal(deps, reply, ctx, () => show(request, reply, ctx, open));
  });

  post("/console/circles", async ({ body }, _reply, open, ctx) => {
    const made = await circles.create(open.actor, field(body, "name") ?? "");
    log.info("Circle created", { id: made.id, by: open.actor.jid, via: "console" });
    return { done: ctx.t("console.circles.created", { name: made.name }) };
  });

  post("/console/circles/add", async ({ body }, _reply, open, ctx) => {
    const jid = (field(body, "jid") ?? "").trim();
    const added = await circles.addMember(open.actor, refOf(body), jid);
    const key = added ? "console.circles.added" : "console.circles.already";
    return { done: ctx.t(key, { jid, name: await nameOf(open, refOf(body)) }) };
  });

  post("/console/circles/remove", async ({ body }, _reply, open, ctx) => {
    const jid = (field(body, "jid") ?? "").trim();
    await circles.removeMember(open.actor, refOf(body), jid);
    return { done: ctx.t("console.circles.removed", { jid, name: await nameOf(open, refOf(body)) }) };
  });

  post("/console/circles/delete", async (request, reply, open, ctx) => {
    if (field(request.body, "confirm") !== "yes") {
      // Asking changes nothing, so only the domain's rule is applied here: admins manage circles.
      if (!open.actor.isAdmin) throw new InviteError("circles-admins-only");
      const circle = { id: refOf(request.body), name: await nameOf(open, refOf(request.body)) };
      return confirmDeletePage(ctx, { circle, csrf: kit.csrfFor(request, reply, open) });
    }
    const deleted = await circles.delete(open.actor, refOf(request.body));
    log.info("Circle deleted", { id: deleted.id, by: open.actor.jid, via: "console" });
    return { done: ctx.t("console.circles.deleted", { name: deleted.name }) };
  });
}
