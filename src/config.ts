/**
 * Configuration is a pure function of an environment (docs/architecture.md): it returns a
 * frozen, typed object or throws a ConfigError that lists every problem at once.
 * The README's configuration table documents each variable.
 */
import { isIP } from "node:net";
import { isValidDomain, isValidLocal, normaliseBareJid } from "./jid.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";

/** How accounts are made from invites (REGISTRATION, docs/servers.md); src/registration/choose.ts decides. */
export const REGISTRATION_MODES = ["auto", "server", "bot"] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

export interface Config {
  readonly xmpp: {
    readonly service: string;
    readonly domain: string;
    readonly username: string;
    readonly password: string;
    readonly resource: string;
    readonly debug: boolean;
  };
  /** Normalised bare JIDs (lower case). */
  readonly admins: ReadonlySet<string>;
  readonly allowUserInvites: boolean;
  readonly allowContactInvites: boolean;
  /** Admins hear about every used invite too. */
  readonly notifyAdmins: boolean;
  readonly inviteTtlSeconds: number;
  /** Invites a non-admin may create per rolling 24 hours. */
  readonly inviteQuota: number;
  /**
   * Landing page template with {token}, {uri} and {host}: INVITE_PAGE, else the bot's own page when the web
   * server is on; undefined = use the xmpp: URI.
   */
  readonly invitePage: string | undefined;
  /** The invite web pages (WEB_LISTEN); undefined = no web server. */
  readonly web: WebConfig | undefined;
  readonly redis: { readonly url: string; readonly timeoutMs: number };
  /** HMAC keys for invite records (docs/storage.md, "The tag"): the current one and old ones still accepted. */
  readonly signingKeys: { readonly current: string; readonly old: readonly string[] };
  /** Flood control per requester: a burst, then so many requests per second. */
  readonly rateLimit: { readonly burst: number; readonly perSecond: number };
  readonly logLevel: LogLevel;
  /** How accounts are made from invites (REGISTRATION, docs/servers.md). */
  readonly registration: RegistrationMode;
  /** ejabberd's mod_http_api (EJABBERD_API_URL), for mutual contacts when the bot registers. */
  readonly ejabberdApiUrl: string | undefined;
  /** Where the bot writes whether it is online (HEALTH_FILE), for a container healthcheck; undefined = nowhere. */
  readonly healthFile: string | undefined;
  /** Refuse new usernames that are, or look like, an admin's or the bot's (USERNAME_CONFUSABLES, UTS #39). */
  readonly usernameConfusables: boolean;
}

export interface WebConfig {
  /** Where the HTTP server listens; port 0 = any free port. */
  readonly listen: { readonly host: string; readonly port: number };
  /** The public base URL (WEB_URL), without a trailing slash. */
  readonly url: string;
  readonly siteName: string;
  /** Where the visitor's address comes from (TRUST_PROXY): the socket, or X-Forwarded-For behind proxies. */
  readonly trustProxy: TrustProxy;
  /** The admin's own app catalog (WEB_APPS_FILE) instead of data/apps.json. */
  readonly appsFile: string | undefined;
  /** Invite pages per client address and minute (WEB_VIEWS_PER_MINUTE). */
  readonly viewsPerMinute: number;
  /** Registration attempts per client address in 10 minutes (WEB_ATTEMPTS_PER_10_MINUTES). */
  readonly attemptsPer10Minutes: number;
  /** Open connections in all (WEB_MAX_CONNECTIONS); more are closed at once. */
  readonly maxConnections: number;
  /** Open connections from one client address (WEB_MAX_CONNECTIONS_PER_ADDRESS); not for a trusted proxy. */
  readonly maxConnectionsPerAddress: number;
  /** Time a client has to send a whole request, headers and body (WEB_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
}

/**
 * TRUST_PROXY (docs/web.md, "Behind a reverse proxy"): `false`, the socket's address; a number, that many
 * proxies in front, so the visitor is that many entries from the right of X-Forwarded-For; a list, the proxies'
 * addresses and CIDR ranges, so the visitor is the first address from the right that is not one of them.
 */
export type TrustProxy = false | number | readonly string[];

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export const DEFAULTS = {
  resource: "invites",
  allowUserInvites: false,
  allowContactInvites: true,
  inviteTtlSeconds: 604_800,
  inviteQuota: 10,
  redisUrl: "redis://127.0.0.1:6379",
  redisTimeoutMs: 500,
  rateLimitBurst: 20,
  rateLimitPerSecond: 2,
  webViewsPerMinute: 60,
  webAttemptsPer10Minutes: 10,
  webMaxConnections: 1000,
  webMaxConnectionsPerAddress: 50,
  webRequestTimeoutMs: 20_000,
  logLevel: "info" as LogLevel,
} as const;

const MAX_TTL_SECONDS = 366 * 86_400;
const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];
const SERVICE_PROTOCOLS = ["xmpp:", "xmpps:", "ws:", "wss:"];

/** Reads one variable; empty strings count as unset, as dotenv leaves `FOO=` empty. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  required(name: string, example: string): string {
    const value = read(this.env, name);
    if (value === undefined) this.problems.push(`${name} is required (for example ${name}=${example})`);
    return value ?? "";
  }

  optional(name: string): string | undefined {
    return read(this.env, name);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = read(this.env, name);
    if (value === undefined) return fallback;
    const word = value.toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    this.problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number, unit: string): number {
    const value = read(this.env, name);
    if (value === undefined) return fallback;
    const number = /^\d+$/u.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      this.problems.push(`${name} must be a whole number of ${unit} from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return number;
  }

  url(name: string, value: string, protocols: readonly string[], example: string): void {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.problems.push(`${name} is not a valid URL: "${value}" (for example ${example})`);
      return;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}, got "${value}"`);
    }
  }
}

function readAdmins(reader: Reader): Set<string> {
  const admins = new Set<string>();
  for (const entry of (reader.optional("ADMIN_JIDS") ?? "").split(",")) {
    const address = entry.trim();
    if (address === "") continue;
    const jid = normaliseBareJid(address);
    if (jid === undefined) {
      reader.problems.push(`ADMIN_JIDS: "${address}" is not a bare JID (expected user@domain, without /resource)`);
    } else {
      admins.add(jid);
    }
  }
  return admins;
}

/** The path of the bot's own invite page under WEB_URL (src/web/routes.ts serves it). */
export const WEB_INVITE_PATH = "/invite/{token}";

function readInvitePage(reader: Reader, web: WebConfig | undefined): string | undefined {
  const page = reader.optional("INVITE_PAGE");
  if (page === undefined) return web === undefined ? undefined : `${web.url}${WEB_INVITE_PATH}`;
  if (!page.includes("{token}") && !page.includes("{uri}")) {
    reader.problems.push(`INVITE_PAGE must contain {token} or {uri}, got "${page}"`);
  }
  const sample = page.replaceAll("{token}", "t").replaceAll("{uri}", "u").replaceAll("{host}", "example.org");
  reader.url("INVITE_PAGE", sample, ["https:", "http:"], "https://{host}/invite?{token}");
  return page;
}

/** At least 32 characters: a key from `openssl rand -base64 32` has 44. */
export const MIN_SIGNING_KEY_LENGTH = 32;

function readSigningKeys(reader: Reader): Config["signingKeys"] {
  const current = reader.optional("INVITE_SIGNING_KEY") ?? "";
  if (current === "") {
    reader.problems.push(
      "INVITE_SIGNING_KEY is required: a secret of at least 32 characters, the same as Prosody's " +
        "invites_redis_signing_key (make one with: openssl rand -base64 32)",
    );
  }
  const old = (reader.optional("INVITE_SIGNING_KEYS_OLD") ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
  const named: Array<[string, string]> = [
    ["INVITE_SIGNING_KEY", current],
    ...old.map((k): [string, string] => ["INVITE_SIGNING_KEYS_OLD", k]),
  ];
  for (const [name, key] of named) {
    if (key !== "" && key.length < MIN_SIGNING_KEY_LENGTH) {
      reader.problems.push(
        `${name} must be at least ${MIN_SIGNING_KEY_LENGTH} characters (make one with: openssl rand -base64 32)`,
      );
    }
  }
  if (current !== "" && current.includes(",")) reader.problems.push("INVITE_SIGNING_KEY must not contain a comma");
  return { current, old };
}

/** `host:port` or `[v6]:port`. */
function readListen(reader: Reader, value: string): WebConfig["listen"] {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/u.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65_535) {
    reader.problems.push(`WEB_LISTEN must be host:port (for example WEB_LISTEN=127.0.0.1:8080), got "${value}"`);
    return { host: "127.0.0.1", port: 0 };
  }
  return { host: match[1] ?? match[2] ?? "", port };
}

/** More proxies than this in a row is a mistake, not a setup. */
const MAX_PROXY_HOPS = 10;

/** An IP address, or a CIDR range of them (`10.0.0.0/8`, `fd00::/8`), as proxy-addr reads them. */
function isAddressOrRange(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || address.includes("%") || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/u.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function readTrustProxy(reader: Reader): TrustProxy {
  const value = reader.optional("TRUST_PROXY");
  if (value === undefined || FALSE_WORDS.includes(value.toLowerCase())) return false;
  // `true` is one proxy, the setup of every example in docs/web.md: never the client's own left-most entry.
  if (TRUE_WORDS.includes(value.toLowerCase())) return 1;
  if (/^\d+$/u.test(value)) {
    const hops = Number(value);
    if (hops <= MAX_PROXY_HOPS) return hops;
  } else {
    const entries = value.split(",").map((entry) => entry.trim());
    if (entries.every(isAddressOrRange)) return entries;
  }
  reader.problems.push(
    `TRUST_PROXY must be false, the number of proxies in front (1 to ${MAX_PROXY_HOPS}; true = 1), or their ` +
      `addresses (for example TRUST_PROXY=127.0.0.1 or TRUST_PROXY=10.0.0.0/8,fd00::/8), got "${value}"`,
  );
  return false;
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/u;

function readWebUrl(reader: Reader): string {
  const value = reader.optional("WEB_URL");
  if (value === undefined) {
    reader.problems.push(
      "WEB_URL is required with WEB_LISTEN: the address people open (for example WEB_URL=https://invite.example.org)",
    );
    return "";
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    reader.problems.push(`WEB_URL is not a valid URL: "${value}" (for example WEB_URL=https://invite.example.org)`);
    return "";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.test(url.hostname))) {
    reader.problems.push(
      `WEB_URL must be https (http only for a loopback address such as http://127.0.0.1:8080), got "${value}"`,
    );
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    reader.problems.push(`WEB_URL must be a plain base URL without ?query, #fragment or user:password, got "${value}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/u, "")}`;
}

function readWeb(reader: Reader, domain: string): WebConfig | undefined {
  const listen = reader.optional("WEB_LISTEN");
  if (listen === undefined) {
    for (const name of [
      "WEB_URL",
      "SITE_NAME",
      "TRUST_PROXY",
      "WEB_APPS_FILE",
      "WEB_VIEWS_PER_MINUTE",
      "WEB_ATTEMPTS_PER_10_MINUTES",
      "WEB_MAX_CONNECTIONS",
      "WEB_MAX_CONNECTIONS_PER_ADDRESS",
      "WEB_REQUEST_TIMEOUT_MS",
    ]) {
      if (reader.optional(name) !== undefined)
        reader.problems.push(`${name} is set but WEB_LISTEN is not: set WEB_LISTEN to turn the web pages on`);
    }
    return undefined;
  }
  return {
    listen: readListen(reader, listen),
    url: readWebUrl(reader),
    siteName: reader.optional("SITE_NAME") ?? domain,
    trustProxy: readTrustProxy(reader),
    appsFile: reader.optional("WEB_APPS_FILE"),
    viewsPerMinute: reader.integer("WEB_VIEWS_PER_MINUTE", DEFAULTS.webViewsPerMinute, 1, 1_000_000, "pages"),
    attemptsPer10Minutes: reader.integer(
      "WEB_ATTEMPTS_PER_10_MINUTES",
      DEFAULTS.webAttemptsPer10Minutes,
      1,
      1_000_000,
      "attempts",
    ),
    maxConnections: reader.integer("WEB_MAX_CONNECTIONS", DEFAULTS.webMaxConnections, 1, 100_000, "connections"),
    maxConnectionsPerAddress: reader.integer(
      "WEB_MAX_CONNECTIONS_PER_ADDRESS",
      DEFAULTS.webMaxConnectionsPerAddress,
      1,
      100_000,
      "connections",
    ),
    requestTimeoutMs: reader.integer(
      "WEB_REQUEST_TIMEOUT_MS",
      DEFAULTS.webRequestTimeoutMs,
      1000,
      600_000,
      "milliseconds",
    ),
  };
}

function readRegistration(reader: Reader): RegistrationMode {
  const value = reader.optional("REGISTRATION")?.toLowerCase();
  if (value === undefined) return "auto";
  if ((REGISTRATION_MODES as readonly string[]).includes(value)) return value as RegistrationMode;
  reader.problems.push(`REGISTRATION must be one of ${REGISTRATION_MODES.join(", ")}, got "${value}"`);
  return "auto";
}

function readLogLevel(reader: Reader): LogLevel {
  const value = reader.optional("LOG_LEVEL")?.toLowerCase();
  if (value === undefined) return DEFAULTS.logLevel;
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  reader.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  return DEFAULTS.logLevel;
}

export function loadConfig(env: Env): Config {
  const reader = new Reader(env);

  const domain = reader.required("XMPP_DOMAIN", "example.org").toLowerCase();
  if (domain !== "" && !isValidDomain(domain)) reader.problems.push(`XMPP_DOMAIN is not a domain name: "${domain}"`);

  const username = reader.required("XMPP_USERNAME", "invites");
  if (username.includes("@")) {
    reader.problems.push(`XMPP_USERNAME is the local part only (for example "invites"), not a JID: "${username}"`);
  } else if (username !== "" && !isValidLocal(username)) {
    reader.problems.push(`XMPP_USERNAME is not a valid JID local part: "${username}"`);
  }
  const password = reader.required("XMPP_PASSWORD", "a-long-secret");

  // Unset: the bare domain, which xmpp.js resolves as a client does (RFC 6120 §3.2.1: DNS SRV
  // _xmpps-client / _xmpp-client, XEP-0156 host-meta, then DOMAIN:5222), so delegated domains work.
  const explicitService = reader.optional("XMPP_SERVICE");
  const service = explicitService ?? domain;
  if (explicitService !== undefined) {
    reader.url("XMPP_SERVICE", explicitService, SERVICE_PROTOCOLS, "xmpp://example.org:5222");
  }

  const redisUrl = reader.optional("REDIS_URL") ?? DEFAULTS.redisUrl;
  reader.url("REDIS_URL", redisUrl, ["redis:", "rediss:"], DEFAULTS.redisUrl);

  const web = readWeb(reader, domain);
  const config: Config = {
    xmpp: {
      service,
      domain,
      username,
      password,
      resource: reader.optional("XMPP_RESOURCE") ?? DEFAULTS.resource,
      debug: reader.boolean("XMPP_DEBUG", false),
    },
    admins: readAdmins(reader),
    allowUserInvites: reader.boolean("ALLOW_USER_INVITES", DEFAULTS.allowUserInvites),
    allowContactInvites: reader.boolean("ALLOW_CONTACT_INVITES", DEFAULTS.allowContactInvites),
    notifyAdmins: reader.boolean("NOTIFY_ADMINS", false),
    inviteTtlSeconds: reader.integer("INVITE_TTL", DEFAULTS.inviteTtlSeconds, 60, MAX_TTL_SECONDS, "seconds"),
    inviteQuota: reader.integer("INVITE_QUOTA", DEFAULTS.inviteQuota, 1, 100_000, "invites"),
    invitePage: readInvitePage(reader, web),
    web,
    redis: {
      url: redisUrl,
      timeoutMs: reader.integer("REDIS_TIMEOUT_MS", DEFAULTS.redisTimeoutMs, 100, 60_000, "milliseconds"),
    },
    signingKeys: readSigningKeys(reader),
    rateLimit: {
      burst: reader.integer("RATE_LIMIT_BURST", DEFAULTS.rateLimitBurst, 1, 10_000, "requests"),
      perSecond: reader.integer("RATE_LIMIT_PER_SECOND", DEFAULTS.rateLimitPerSecond, 1, 10_000, "requests"),
    },
    logLevel: readLogLevel(reader),
    registration: readRegistration(reader),
    ejabberdApiUrl: reader.optional("EJABBERD_API_URL"),
    healthFile: reader.optional("HEALTH_FILE"),
    usernameConfusables: reader.boolean("USERNAME_CONFUSABLES", true),
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
