/**
 * The invite tree in the console (docs/console.md, "The invite tree"): GET /console/tree?jid=… shows everyone an
 * account invited, and whom they invited, as nested lists (InviteService.inviteTree: users their own, admins
 * anyone's); POST /console/tree/revoke asks first, then (confirm=yes) revokes every pending invite of the tree in
 * one call to InviteService.revokeTree (admins only). Refusals are the catalogue's pages.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { OpenSession } from "../../invites/console-access.js";
import type { PageContext } from "../page-context.js";
import { type ConsoleRouteDeps, field, orRefusal } from "./console-deps.js";
import type { ConsoleKit } from "./console-kit.js";
import { confirmTreeRevokePage, treePage } from "./pages/tree-page.js";

/** RFC 7622 §3.1: a JID is at most 3071 bytes; anything longer is no account. */
const MAX_JID_LENGTH = 3071;

function rootOf(given: string | undefined, open: OpenSession): string {
  const trimmed = (given ?? "").trim().toLowerCase();
  return trimmed === "" || trimmed.length > MAX_JID_LENGTH ? open.actor.jid : trimmed;
}

export function registerTreeRoutes(app: FastifyInstance, deps: ConsoleRouteDeps, kit: ConsoleKit): void {
  const { pages, invites, log } = deps;

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    open: OpenSession,
    root: string,
    revoked?: { revoked: number; accounts: number },
  ) => {
    const tree = await invites.inviteTree(open.actor, root);
    const view = { tree, csrf: kit.csrfFor(request, reply, open), mayRevoke: open.actor.isAdmin, revoked };
    return kit.html(reply, 200, treePage(ctx, view));
  };

  app.get("/console/tree", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console/tree");
    const open = await kit.viewedSession(request, reply, ctx);
    if (open === undefined) return reply;
    const root = rootOf((request.query as Record<string, string | undefined>).jid, open);
    return orRefusal(deps, reply, ctx, () => show(request, reply, ctx, open, root));
  });

  app.post("/console/tree/revoke", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console/tree");
    const open = await kit.checkedPost(request, reply, ctx);
    if (open === undefined) return reply;
    const root = rootOf(field(request.body, "jid"), open);
    if (field(request.body, "confirm") !== "yes") {
      return kit.html(reply, 200, confirmTreeRevokePage(ctx, { root, csrf: kit.csrfFor(request, reply, open) }));
    }
    return orRefusal(deps, reply, ctx, async () => {
      const revocation = await invites.revokeTree(open.actor, root);
      log.info("Invites revoked", { count: revocation.revoked, tree: revocation.accounts, via: "console" });
      return show(request, reply, ctx, open, root, revocation);
    });
  });
}
