/**
 * The web console's unit-test world: the pages' server with the console on, over memory stores and a fake clock,
 * and a browser for Fastify's inject that keeps its cookies and posts like our own pages do.
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { CircleService } from "../../src/circles/service.js";
import { ApiKeyService } from "../../src/invites/api-key-service.js";
import { ConsoleAccess, type LoginLink } from "../../src/invites/console-access.js";
import { InviteLinks } from "../../src/invites/invite-links.js";
import { actorFor, type Policy } from "../../src/invites/permissions.js";
import { InviteService, type InviteServiceOptions } from "../../src/invites/service.js";
import { inviteSummary } from "../../src/invites/stats.js";
import { createLogger } from "../../src/logger.js";
import { MemoryApiKeys } from "../../src/storage/memory-api-keys.js";
import { MemoryCircles } from "../../src/storage/memory-circles.js";
import { MemoryConsoleStore } from "../../src/storage/memory-console.js";
import { MemoryInviteStore } from "../../src/storage/memory-store.js";
import { circleNamesFrom } from "../../src/web/circle-names.js";
import { csrfKey } from "../../src/web/csrf.js";
import { DEFAULT_WEB_LIMITS } from "../../src/web/rate-limits.js";
import { buildWebServer } from "../../src/web/server.js";
import { loadWebData } from "../../src/web/web-data.js";
import { FakeRegistrar, POLICY, WEB_URL } from "./web-fakes.js";
import { csrfFieldOf } from "./web-form.js";

export interface ConsoleWorld {
  server: FastifyInstance;
  store: MemoryInviteStore;
  service: InviteService;
  /** With consoleCircleWorld only. */
  circles?: CircleService;
  access: ConsoleAccess;
  apiKeys: ApiKeyService;
  /** Links the pages had the bot send, in order. */
  sent: { to: string; link: LoginLink }[];
  logs: string[];
  advanceMs(ms: number): void;
  /** A fresh login link's path for `jid` (as chat `login` gives it). */
  loginPath(jid: string): Promise<string>;
}

/** The same world with circles: a CircleService over memory, choosing invites' circles as in the app. */
export interface ConsoleCircleWorld extends ConsoleWorld {
  circles: CircleService;
  circleStore: MemoryCircles;
}

export function consoleCircleWorld(policy: Policy = POLICY): ConsoleCircleWorld {
  const circleStore = new MemoryCircles();
  const world = consoleWorld({ policy, circleStore });
  if (world.circles === undefined) throw new Error("the console world has no circles");
  return { ...world, circles: world.circles, circleStore };
}

export function consoleWorld(
  options: {
    policy?: Policy;
    circleStore?: MemoryCircles;
    held?: Pick<InviteServiceOptions, "approvals" | "accounts">;
  } = {},
): ConsoleWorld {
  const { policy = POLICY, circleStore } = options;
  let nowMs = Date.UTC(2026, 10, 27, 12);
  const clock = () => nowMs;
  const store = new MemoryInviteStore(clock);
  const invitePage = `${WEB_URL}/invite/{token}`;
  const circles = circleStore === undefined ? undefined : new CircleService({ store: circleStore, policy, clock });
  const service = new InviteService({
    ...{ store, policy, ttlSeconds: 604_800, invitePage, clock },
    ...(circles === undefined ? {} : { circles }),
    ...options.held,
  });
  const logs: string[] = [];
  const log = createLogger("debug", { write: (line: string) => logs.push(line) });
  const access = new ConsoleAccess({
    store: new MemoryConsoleStore(clock),
    relations: store,
    policy,
    loginUrl: (token) => `${WEB_URL}/console/login/${token}`,
    clock,
  });
  const apiKeys = new ApiKeyService({ store: new MemoryApiKeys(), policy, clock });
  const sent: ConsoleWorld["sent"] = [];
  const server = buildWebServer({
    config: {
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
    },
    domain: policy.domain,
    data: loadWebData(),
    invites: new InviteLinks(store, clock),
    ...(circleStore === undefined ? {} : { circleNames: circleNamesFrom(circleStore, log) }),
    hits: store.hitCounter(),
    clock,
    registrar: new FakeRegistrar(),
    csrfKey: csrfKey("k".repeat(32)),
    log,
    limits: { ...DEFAULT_WEB_LIMITS, postsPerAddress: { limit: 1000, windowMs: 600_000 } },
    botJid: policy.botJid,
    console: {
      access,
      invites: service,
      apiKeys,
      ...(circles === undefined ? {} : { circles }),
      clock,
      summary: (actor) => inviteSummary(store.stats, actor, clock),
      sendLoginLink: async (to, link) => {
        sent.push({ to, link });
      },
    },
  });
  return {
    server,
    store,
    service,
    ...(circles === undefined ? {} : { circles }),
    access,
    apiKeys,
    sent,
    logs,
    advanceMs: (ms) => {
      nowMs += ms;
    },
    async loginPath(jid) {
      const link = await access.loginLink(actorFor(jid, policy));
      return new URL(link?.url ?? "").pathname;
    },
  };
}

/** A browser on the console: keeps every cookie it is given, and posts from our own origin. */
export class ConsoleBrowser {
  readonly cookies = new Map<string, { value: string; attributes: string }>();

  constructor(private readonly server: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(await this.server.inject({ method: "GET", url, headers: this.#cookieHeader() }));
  }

  /** Posts `fields` to `url`; `csrfFrom` is the page whose form token goes with them. */
  async post(
    url: string,
    fields: Record<string, string>,
    options: { csrfFrom?: string; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const csrf: Record<string, string> = options.csrfFrom === undefined ? {} : { csrf: csrfFieldOf(options.csrfFrom) };
    const response = await this.server.inject({
      method: "POST",
      url,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: WEB_URL,
        "sec-fetch-site": "same-origin",
        ...this.#cookieHeader(),
        ...options.headers,
      },
      payload: new URLSearchParams({ ...csrf, ...fields }).toString(),
    });
    return this.#keep(response);
  }

  /** Logs in with a fresh link for `jid`: the page behind the link, then its button. */
  async logIn(world: ConsoleWorld, jid: string): Promise<LightMyRequestResponse> {
    const path = await world.loginPath(jid);
    const page = await this.get(path);
    const posted = await this.post(path, {}, { csrfFrom: page.body });
    return this.get(String(posted.headers.location));
  }

  #cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([name, { value }]) => `${name}=${value}`).join("; ") };
  }

  #keep(response: LightMyRequestResponse): LightMyRequestResponse {
    const header = response.headers["set-cookie"];
    for (const line of Array.isArray(header) ? header : header === undefined ? [] : [String(header)]) {
      const [pair = "", ...attributes] = line.split("; ");
      const [name = "", ...value] = pair.split("=");
      if (/Max-Age=0\b/u.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, { value: value.join("="), attributes: attributes.join("; ") });
    }
    return response;
  }
}
