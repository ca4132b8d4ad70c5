/**
 * The HTTP API in the app (docs/api.md): its keys (the storage backend's, shared by every instance; in memory for a
 * backend without them), which admins manage in chat, and what the web server needs to serve /api/v1.
 */
import type { ApiDeps } from "../api/api.js";
import { ApiKeyService } from "../invites/api-key-service.js";
import type { Clock } from "../invites/expiry.js";
import { findInvite } from "../invites/invite-lookup.js";
import type { Policy } from "../invites/permissions.js";
import type { InviteService } from "../invites/service.js";
import { inviteSummary } from "../invites/stats.js";
import type { InviteStore } from "../invites/store.js";
import type { RandomSource } from "../invites/token.js";
import type { Logger } from "../logger.js";
import type { StorageBackend } from "../storage/backend.js";
import { MemoryApiKeys } from "../storage/memory-api-keys.js";
import { SOFTWARE } from "../version.js";

export interface HttpApiOptions {
  readonly policy: Policy;
  readonly storage: Pick<StorageBackend, "apiKeys" | "hits" | "stats">;
  readonly store: Pick<InviteStore, "findById">;
  readonly clock: Clock;
  readonly random?: RandomSource;
  readonly log: Logger;
}

export interface HttpApi {
  readonly keys: ApiKeyService;
  /** What the web server needs for /api/v1, given the invite service. */
  web(invites: InviteService): ApiDeps;
}

export function httpApi(options: HttpApiOptions): HttpApi {
  const { policy, storage, store, clock, log } = options;
  const { stats } = storage;
  const keys = new ApiKeyService({
    store: storage.apiKeys ?? new MemoryApiKeys(),
    policy,
    clock,
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  return {
    keys,
    web: (invites) => ({
      keys,
      invites,
      findInvite: (actor, id) => findInvite({ store, clock }, actor, id),
      hits: storage.hits,
      log,
      version: SOFTWARE.version,
      ...(stats === undefined ? {} : { summary: (actor) => inviteSummary(stats, actor, clock) }),
    }),
  };
}
