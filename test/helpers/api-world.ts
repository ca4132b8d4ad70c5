/**
 * The HTTP API (src/api/) over in-memory stores, for unit tests through Fastify's inject(): the real InviteService
 * and ApiKeyService on memory stores with a fixed clock, mounted beside a root that, like the web pages' server,
 * takes no JSON itself.
 */
import formbody from "@fastify/formbody";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { registerApi } from "../../src/api/api.js";
import type { AccountControl } from "../../src/invites/account-control.js";
import { ApiKeyService } from "../../src/invites/api-key-service.js";
import type { ApiKeyScope } from "../../src/invites/api-keys.js";
import { findInvite } from "../../src/invites/invite-lookup.js";
import { actorFor, type Policy } from "../../src/invites/permissions.js";
import { InviteService } from "../../src/invites/service.js";
import { inviteSummary } from "../../src/invites/stats.js";
import type { HitCounter } from "../../src/invites/store.js";
import { createLogger } from "../../src/logger.js";
import { MemoryApiKeys } from "../../src/storage/memory-api-keys.js";
import { MemoryInviteStore } from "../../src/storage/memory-store.js";

export const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);
export const ADMIN = "admin@example.org";
export const WEEK = 604_800;

export interface ApiWorld {
  readonly app: FastifyInstance;
  readonly service: InviteService;
  readonly keys: ApiKeyService;
  readonly keyStore: MemoryApiKeys;
  readonly logs: string[];
  /** A new key of `scope` made by `by` (an admin unless said otherwise). */
  key(scope: ApiKeyScope, name?: string, by?: string): Promise<string>;
  call(method: "GET" | "POST" | "DELETE", url: string, key?: string, body?: unknown): Promise<LightMyRequestResponse>;
}

let names = 0;

export async function apiWorld(
  options: { hits?: HitCounter; policy?: Partial<Policy>; store?: MemoryInviteStore; accounts?: AccountControl } = {},
): Promise<ApiWorld> {
  const clock = () => NOW_MS;
  const policy: Policy = {
    domain: "example.org",
    admins: new Set([ADMIN]),
    allowUserInvites: false,
    allowContactInvites: true,
    botJid: "invites@example.org",
    ...options.policy,
  };
  const store = options.store ?? new MemoryInviteStore(clock);
  const service = new InviteService({
    ...{ store, policy, ttlSeconds: WEEK, invitePage: "https://example.org/i", clock },
    ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
  });
  const keyStore = new MemoryApiKeys();
  const keys = new ApiKeyService({ store: keyStore, policy, clock });
  const logs: string[] = [];
  const log = createLogger("debug", { write: (line: string) => logs.push(line) });
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.register(formbody);
  registerApi(app, {
    keys,
    invites: service,
    findInvite: (actor, id) => findInvite({ store, clock }, actor, id),
    hits: options.hits ?? store.hitCounter(),
    log,
    version: "0.0.0-test",
    summary: (actor) => inviteSummary(store.stats, actor, clock),
  });
  await app.ready();
  return {
    app,
    service,
    keys,
    keyStore,
    logs,
    async key(scope, name = `key-${++names}`, by = ADMIN) {
      const made = await keys.create({ ...actorFor(by, policy), isAdmin: true }, name, scope);
      if (!made.ok) throw new Error(`no key: ${made.reason}`);
      return made.key;
    },
    call(method, url, key, body) {
      return app.inject({
        method,
        url,
        headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
    },
  };
}
