/**
 * Configuration is a pure function of an environment (docs/architecture.md): it returns a
 * frozen, typed object or throws a ConfigError that lists every problem at once, in the order read here.
 * The README's configuration table documents each variable.
 */
import { LOG_LEVELS } from "../logger.js";
import { readAdmins, readInvitePage } from "./invites.js";
import { readMucService } from "./muc.js";
import { readOps } from "./ops.js";
import { ConfigError, Reader } from "./reader.js";
import { readRedis } from "./redis.js";
import { readSigningKeys } from "./signing-keys.js";
import { type Config, DEFAULTS, type Env, REGISTRATION_MODES } from "./types.js";
import { MAX_TTL_SECONDS, readUserInvitePolicy } from "./user-invites.js";
import { readWeb } from "./web.js";
import { readResource, readXmppAccount } from "./xmpp.js";

export function loadConfig(env: Env): Config {
  const reader = new Reader(env);

  const account = readXmppAccount(reader);

  const redisTarget = readRedis(reader);

  const web = readWeb(reader, account.domain);
  const config: Config = {
    xmpp: {
      ...account,
      resource: readResource(reader),
      debug: reader.boolean("XMPP_DEBUG", false),
    },
    admins: readAdmins(reader),
    allowUserInvites: reader.boolean("ALLOW_USER_INVITES", DEFAULTS.allowUserInvites),
    allowContactInvites: reader.boolean("ALLOW_CONTACT_INVITES", DEFAULTS.allowContactInvites),
    notifyAdmins: reader.boolean("NOTIFY_ADMINS", false),
    inviteTtlSeconds: reader.integer("INVITE_TTL", DEFAULTS.inviteTtlSeconds, 60, MAX_TTL_SECONDS, "seconds"),
    ...readUserInvitePolicy(reader),
    invitePage: readInvitePage(reader, web),
    web,
    redis: {
      ...redisTarget,
      timeoutMs: reader.integer("REDIS_TIMEOUT_MS", DEFAULTS.redisTimeoutMs, 100, 60_000, "milliseconds"),
    },
    signingKeys: readSigningKeys(reader),
    rateLimit: {
      burst: reader.integer("RATE_LIMIT_BURST", DEFAULTS.rateLimitBurst, 1, 10_000, "requests"),
      perSecond: reader.integer("RATE_LIMIT_PER_SECOND", DEFAULTS.rateLimitPerSecond, 1, 10_000, "requests"),
    },
    logLevel: reader.oneOf("LOG_LEVEL", LOG_LEVELS, DEFAULTS.logLevel),
    registration: reader.oneOf("REGISTRATION", REGISTRATION_MODES, "auto"),
    ejabberdApiUrl: reader.optional("EJABBERD_API_URL"),
    healthFile: reader.optional("HEALTH_FILE"),
    ops: readOps(reader),
    usernameConfusables: reader.boolean("USERNAME_CONFUSABLES", true),
    mucService: readMucService(reader, account.domain),
  };
  if (config.ejabberdApiUrl !== undefined) {
    reader.url("EJABBERD_API_URL", config.ejabberdApiUrl, ["https:", "http:"], "http://127.0.0.1:5280/api");
  }
  if (config.registration === "bot" && web === undefined) {
    reader.problems.push(
      "REGISTRATION=bot needs the web pages: newcomers register there (set WEB_LISTEN and WEB_URL, docs/web.md)",
    );
  }

  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === "object" && !(child instanceof Set)) deepFreeze(child);
  }
  return Object.freeze(value);
}
