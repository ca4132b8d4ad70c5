/**
 * API keys over chat, admins only (docs/api.md): `apikey create NAME create|manage` (the key is shown once, in the
 * reply, and never again: only its hash is stored), `apikeys` (every key, never the key itself) and
 * `apikey revoke NAME`. The same over ad-hoc is in api-key-adhoc.ts.
 */
import type { ChatKeyword } from "../chat/router.js";
import type { ApiKeyService } from "../invites/api-key-service.js";
import type { ApiKey } from "../invites/api-keys.js";
import { API_KEY_NAME_PATTERN, isApiKeyScope } from "../invites/api-keys.js";
import { formatDateTime } from "../invites/expiry.js";
import type { RequestContext } from "./context.js";

const USAGE =
  'Say "apikey create NAME create" (it may only create invites), "apikey create NAME manage" (it may also list, read and revoke them) or "apikey revoke NAME".';
const NAME_RULE = "A key's name is 1 to 40 characters: lower-case letters, digits, and . _ - (not first).";
const NOT_ADMIN = "Only admins can manage API keys.";

/** One key as chat and the ad-hoc list show it: name, scope, when and by whom it was made, when last used. */
export function keyLine(key: ApiKey): string {
  const used = key.lastUsedAt === undefined ? "never used" : `last used ${formatDateTime(key.lastUsedAt)}`;
  return `• ${key.name} (${key.scope}) — made ${formatDateTime(key.createdAt)} by ${key.createdBy}, ${used}`;
}

async function create(keys: ApiKeyService, ctx: RequestContext, name: string, scope: string): Promise<string> {
  if (!API_KEY_NAME_PATTERN.test(name)) return NAME_RULE;
  if (!isApiKeyScope(scope)) return USAGE;
  const made = await keys.create(ctx.actor, name, scope);
  if (!made.ok) return made.reason === "not-admin" ? NOT_ADMIN : `There is already a key named "${name}".`;
  // The name only: the key itself is never logged (docs/security.md).
  ctx.log.info("API key made", { name, scope });
  return [
    `API key "${name}" (${scope}):`,
    made.key,
    "Keep it: it is not shown again. Send it as Authorization: Bearer KEY to /api/v1 (docs/api.md).",
  ].join("\n");
}

async function revoke(keys: ApiKeyService, ctx: RequestContext, name: string): Promise<string> {
  const revoked = await keys.revoke(ctx.actor, name);
  if (revoked === undefined) return NOT_ADMIN;
  if (!revoked) return `There is no key named "${name}".`;
  ctx.log.info("API key revoked", { name });
  return `Revoked API key "${name}": it no longer works.`;
}

export function apiKeyChatKeywords(keys: ApiKeyService): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "apikey",
      help: "apikey create NAME create|manage — a key for the HTTP API; apikey revoke NAME",
      allowed: ({ actor }) => actor.isAdmin,
      takesArguments: true,
      run: async (ctx, args) => {
        if (!ctx.actor.isAdmin) return NOT_ADMIN;
        const words = args.trim().split(/\s+/u);
        const [action = "", name = "", scope = ""] = words;
        const verb = action.toLowerCase();
        if (verb === "create" && words.length === 3) return create(keys, ctx, name.toLowerCase(), scope.toLowerCase());
        if (verb === "revoke" && words.length === 2) return revoke(keys, ctx, name.toLowerCase());
        return USAGE;
      },
    },
    {
      keyword: "apikeys",
      help: "the API keys there are (never the keys themselves)",
      allowed: ({ actor }) => actor.isAdmin,
      run: async ({ actor }) => {
        const listed = await keys.list(actor);
        if (listed === undefined) return NOT_ADMIN;
        if (listed.length === 0) return 'There are no API keys. Say "apikey create NAME create|manage" to make one.';
        return [`API keys (${listed.length}):`, ...listed.map(keyLine)].join("\n");
      },
    },
  ];
}
