/**
 * The web console's logins in the app (docs/console.md): the store (the storage backend's, shared by every
 * instance; in memory for a backend without one), the login links' address under WEB_URL, and how the web sends a
 * link over XMPP; the API keys admins manage on the console's pages, and the admins' summary.
 */
import type { Client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import type { CircleService } from "../circles/service.js";
import { loginLinkText } from "../commands/console-commands.js";
import type { Config } from "../config.js";
import type { ApiKeyService } from "../invites/api-key-service.js";
import { ConsoleAccess } from "../invites/console-access.js";
import type { Clock } from "../invites/expiry.js";
import type { Policy } from "../invites/permissions.js";
import type { InviteService } from "../invites/service.js";
import { inviteSummary } from "../invites/stats.js";
import type { RandomSource } from "../invites/token.js";
import type { StorageBackend } from "../storage/backend.js";
import { MemoryConsoleStore } from "../storage/memory-console.js";
import type { ConsoleParts } from "../web/console/console-deps.js";

export interface ConsoleLogins {
  readonly access: ConsoleAccess;
  /** What the web pages need for the console, given the invite service (and the API keys and circles it shows). */
  web(invites: InviteService, apiKeys?: ApiKeyService, circles?: CircleService): ConsoleParts;
}

export interface ConsoleLoginOptions {
  readonly config: Config;
  readonly policy: Policy;
  readonly storage: Pick<StorageBackend, "relations" | "console" | "stats">;
  readonly random?: RandomSource;
  readonly clock: Clock;
}

export function consoleLogins(xmpp: Client, options: ConsoleLoginOptions): ConsoleLogins {
  const { config, policy, clock, storage } = options;
  const web = config.web;
  const { stats } = storage;
  const access = new ConsoleAccess({
    store: storage.console ?? new MemoryConsoleStore(clock),
    relations: storage.relations,
    policy,
    loginUrl: web === undefined ? undefined : (token) => `${web.url}/console/login/${token}`,
    clock,
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  return {
    access,
    web: (invites, apiKeys, circles) => ({
      access,
      invites,
      clock,
      ...(apiKeys === undefined ? {} : { apiKeys }),
      ...(circles === undefined ? {} : { circles }),
      ...(stats === undefined ? {} : { summary: (actor) => inviteSummary(stats, actor, clock) }),
      sendLoginLink: (to, link) =>
        xmpp.send(xml("message", { to, type: "chat" }, xml("body", {}, loginLinkText(link)))),
    }),
  };
}
