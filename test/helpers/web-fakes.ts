/** Fakes for the web pages' unit tests: a registrar that records what it was asked, and a built server. */
import type { FastifyInstance } from "fastify";
import type { WebConfig } from "../../src/config.js";
import type { Clock } from "../../src/invites/expiry.js";
import { InviteLinks } from "../../src/invites/invite-links.js";
import { InviteService } from "../../src/invites/service.js";
import type { HitCounter } from "../../src/invites/store.js";
import type { UsernameRule } from "../../src/invites/username.js";
import { createLogger } from "../../src/logger.js";
import type { Registrar, RegistrationRequest, RegistrationResult } from "../../src/registration/registrar.js";
import { MemoryInviteStore } from "../../src/storage/memory-store.js";
import { csrfKey } from "../../src/web/csrf.js";
import type { Site } from "../../src/web/page-context.js";
import { DEFAULT_WEB_LIMITS, type WebLimits } from "../../src/web/rate-limits.js";
import { buildWebServer } from "../../src/web/server.js";
import { loadWebData } from "../../src/web/web-data.js";

export class FakeRegistrar implements Registrar {
  readonly calls: Array<{ kind: "register" | "reset" } & RegistrationRequest> = [];
  next: RegistrationResult = { ok: true };

  async register(request: RegistrationRequest): Promise<RegistrationResult> {
    this.calls.push({ kind: "register", ...request });
    return this.next;
  }

  async resetPassword(request: RegistrationRequest): Promise<RegistrationResult> {
    this.calls.push({ kind: "reset", ...request });
    return this.next;
  }
}

export const WEB_URL = "https://invite.example.org";

/** The site the page tests render for: example.org, in English, with the apps of the bot's own data. */
export function exampleSite(apps: Site["apps"]): Site {
  return {
    name: "Example Chat",
    domain: "example.org",
    url: WEB_URL,
    basePath: "",
    apps,
    languages: [{ code: "en", name: "English" }],
    preApproves: () => true,
  };
}
export const POLICY = {
  domain: "example.org",
  admins: new Set(["admin@example.org"]),
  allowUserInvites: true,
  allowContactInvites: true,
  botJid: "invites@example.org",
};

export interface WebWorld {
  server: FastifyInstance;
  store: MemoryInviteStore;
  service: InviteService;
  registrar: FakeRegistrar;
  logs: string[];
}

export function webWorld(
  options: {
    limits?: Partial<WebLimits>;
    clock?: Clock;
    web?: Partial<WebConfig>;
    store?: MemoryInviteStore;
    usernameRule?: UsernameRule;
    /** The per-invite counters (the store's by default). */
    hits?: HitCounter;
  } = {},
): WebWorld {
  const clock = options.clock ?? (() => Date.now());
  const store = options.store ?? new MemoryInviteStore(clock);
  const service = new InviteService({ store, policy: POLICY, ttlSeconds: 3600, invitePage: undefined, clock });
  const registrar = new FakeRegistrar();
  const logs: string[] = [];
  const config: WebConfig = {
    listen: { host: "127.0.0.1", port: 0 },
    url: WEB_URL,
    siteName: "Example Chat",
    trustProxy: false,
    appsFile: undefined,
    viewsPerMinute: 60,
    attemptsPer10Minutes: 10,
    maxConnections: 1000,
    maxConnectionsPerAddress: 50,
    requestTimeoutMs: 20_000,
    ...options.web,
  };
  const server = buildWebServer({
    config,
    domain: "example.org",
    data: loadWebData(),
    invites: new InviteLinks(store, clock),
    hits: options.hits ?? store.hitCounter(),
    clock,
    registrar,
    csrfKey: csrfKey("k".repeat(32)),
    log: createLogger("debug", { write: (line: string) => logs.push(line) }),
    limits: { ...DEFAULT_WEB_LIMITS, ...options.limits },
    ...(options.usernameRule === undefined ? {} : { usernameRule: options.usernameRule }),
  });
  return { server, store, service, registrar, logs };
}
