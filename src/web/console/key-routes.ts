/**
 * The HTTP API's keys in the console, for admins (docs/console.md, "API keys"): GET /console/keys lists them (never
 * a key itself: only its hash is stored), POST /console/keys makes one (the key is on the answer page once, and
 * never again), POST /console/keys/revoke removes one. Each is one call to ApiKeyService with the session's actor,
 * the same as chat `apikey`; anyone else gets a 403 page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { describeError, type ErrorCode } from "../../errors.js";
import { API_KEY_NAME_PATTERN, isApiKeyScope } from "../../invites/api-keys.js";
import type { OpenSession } from "../../invites/console-access.js";
import type { PageContext } from "../page-context.js";
import { type ConsoleRouteDeps, field } from "./console-deps.js";
import type { ConsoleKit } from "./console-kit.js";
import { type KeysView, keysPage } from "./pages/keys-page.js";
import { consolePath } from "./pages/login-pages.js";

/**
 * The status of each refusal, from the catalogue like every status the web sends: it has no codes for API keys
 * yet (chat answers them in words), so these are the codes whose answers are the same (403, 400, 409, 404).
 */
const status = (code: ErrorCode) => describeError(code).http.status;
const NOT_ADMIN = status("api-keys-admins-only");
const INVALID = status("api-key-name-invalid");
const TAKEN = status("api-key-name-taken");
const UNKNOWN = status("api-key-not-found");

export function registerKeyRoutes(
  app: FastifyInstance,
  deps: ConsoleRouteDeps,
  keys: NonNullable<ConsoleRouteDeps["apiKeys"]>,
  kit: ConsoleKit,
): void {
  const { pages, log } = deps;

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PageContext,
    open: OpenSession,
    extra: Pick<KeysView, "created" | "notice"> = {},
    code = 200,
  ) => {
    const listed = await keys.list(open.actor);
    if (listed === undefined) {
      log.info("Console request refused", { code: "api-keys-admins-only" });
      return kit.html(reply, NOT_ADMIN, keysPage(ctx, { keys: undefined, csrf: "" }));
    }
    return kit.html(reply, code, keysPage(ctx, { keys: listed, csrf: kit.csrfFor(request, reply, open), ...extra }));
  };

  app.get("/console/keys", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console/keys");
    const open = await kit.viewedSession(request, reply, ctx);
    return open === undefined ? reply : show(request, reply, ctx, open);
  });

  app.post("/console/keys", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console/keys");
    const open = await kit.checkedPost(request, reply, ctx);
    if (open === undefined) return reply;
    const name = (field(request.body, "name") ?? "").trim();
    const scope = field(request.body, "scope") ?? "";
    if (!API_KEY_NAME_PATTERN.test(name) || !isApiKeyScope(scope)) {
      return show(request, reply, ctx, open, { notice: ctx.t("console.keys.invalid") }, INVALID);
    }
    const made = await keys.create(open.actor, name, scope);
    if (made.ok) {
      // The key itself is never logged (docs/security.md); its name is enough to find it.
      log.info("API key created", { name, scope, by: open.actor.jid, via: "console" });
      return show(request, reply, ctx, open, { created: { name, key: made.key } });
    }
    if (made.reason === "name-taken")
      return show(request, reply, ctx, open, { notice: ctx.t("console.keys.taken", { name }) }, TAKEN);
    return show(request, reply, ctx, open);
  });

  app.post("/console/keys/revoke", async (request, reply) => {
    const ctx = pages.contextFor(request, "/console/keys");
    const open = await kit.checkedPost(request, reply, ctx);
    if (open === undefined) return reply;
    const name = field(request.body, "name") ?? "";
    const revoked = await keys.revoke(open.actor, name);
    if (revoked === undefined) return show(request, reply, ctx, open);
    if (!revoked)
      return show(request, reply, ctx, open, { notice: ctx.t("console.keys.not_found", { name }) }, UNKNOWN);
    log.info("API key revoked", { name, by: open.actor.jid, via: "console" });
    return reply.redirect(consolePath(ctx, "/keys"), 303);
  });
}
