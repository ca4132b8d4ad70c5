/**
 * Accounts waiting for an admin's approval in the console (APPROVE_USER_INVITED; docs/console.md, "Approvals"), for
 * admins: GET /console/approvals lists them, POST /console/approvals answers one (`answer` approve or reject), in one
 * call to InviteService.approvals with the session's actor, the same as chat `approve NAME` / `reject NAME`: the
 * inviter is told the same way. Anyone else gets the catalogue's page (accounts-admins-only, 403).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { OpenSession } from "../../invites/console-access.js";
import type { PageContext } from "../page-context.js";
import { type ConsoleRouteDeps, field, orRefusal } from "./console-deps.js";
import type { ConsoleKit } from "./console-kit.js";
import { type ApprovalsView, approvalsPage } from "./pages/approvals-page.js";

export function registerApprovalRoutes(app: FastifyInstance, deps: ConsoleRouteDeps, kit: ConsoleKit): void {
  const { pages, invites, log } = deps;

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    open: OpenSession,
    notice?: ApprovalsView["notice"],
  ) => {
    const held = await invites.approvals.list(open.actor);
    const view = { held, csrf: kit.csrfFor(request, reply, open), ...(notice === undefined ? {} : { notice }) };
    return kit.html(reply, 200, approvalsPage(ctx, view));
  };

  app.get("/console/approvals", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console/approvals");
    const open = await kit.viewedSession(request, reply, ctx);
    if (open === undefined) return reply;
    return orRefusal(deps, reply, ctx, () => show(request, reply, ctx, open));
  });

  app.post("/console/approvals", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console/approvals");
    const open = await kit.checkedPost(request, reply, ctx);
    if (open === undefined) return reply;
    const jid = (field(request.body, "jid") ?? "").trim();
    const approve = field(request.body, "answer") === "approve";
    return orRefusal(deps, reply, ctx, async () => {
      const outcome = approve
        ? await invites.approvals.approve(open.actor, jid)
        : await invites.approvals.reject(open.actor, jid);
      log.info(approve ? "Held account approved" : "Held account rejected", {
        jid: outcome.jid,
        ok: outcome.ok,
        via: "console",
      });
      const text = outcome.ok
        ? ctx.t(approve ? "console.approvals.approved" : "console.approvals.rejected", { jid: outcome.jid })
        : ctx.t("console.approvals.failed", { jid: outcome.jid, why: outcome.why });
      return show(request, reply, ctx, open, { text, ok: outcome.ok });
    });
  });
}
