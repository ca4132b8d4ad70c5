/** The shape of the configuration `loadConfig` returns (README, "Configuration", documents each variable). */
import type { RolePolicy } from "../invites/role-policy.js";
import type { LogLevel } from "../logger.js";
import type { RedisCredentials, RedisNodeAddress, RedisTarget } from "../storage/redis-target.js";
import type { OpsConfig } from "./ops.js";

export type { RedisCredentials, RedisNodeAddress, RedisTarget };

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
  /** Invites a non-admin may create per rolling period (INVITE_QUOTA). */
  readonly inviteQuota: number;
  /** That period, in seconds (INVITE_QUOTA_PERIOD). */
  readonly inviteQuotaPeriodSeconds: number;
  /** Invites a non-admin may have pending at once (INVITE_MAX_PENDING). */
  readonly maxPendingInvites: number;
  /** The longest a non-admin's invite lasts, in seconds (INVITE_USER_MAX_TTL; INVITE_TTL if shorter). */
  readonly userInviteMaxTtlSeconds: number;
  /** The most uses a non-admin's invite may have (INVITE_USER_MAX_USES); 1: single use only. */
  readonly userInviteMaxUses: number;
  /** How old an account made through an invite must be to invite new people, in seconds (INVITE_MIN_ACCOUNT_AGE). */
  readonly minAccountAgeSeconds: number;
  /** The most accounts a user's whole invite tree may hold, pending registrations included (INVITE_TREE_MAX). */
  readonly inviteTreeMax: number;
  /** How long after an inviter's own registration its invitees may invite new people, in seconds (INVITE_CHAIN_PACE). */
  readonly chainPaceSeconds: number;
  /** The policy per Prosody 13 role (INVITE_ROLE_POLICY), guests refused unless it names them. */
  readonly rolePolicies: ReadonlyMap<string, RolePolicy>;
  /** Accounts made through a non-admin's invite wait for an admin's approval (APPROVE_USER_INVITED, README). */
  readonly approveUserInvited: boolean;
  /**
   * Landing page template with {token}, {uri} and {host}: INVITE_PAGE, else the bot's own page when the web
   * server is on; undefined = use the xmpp: URI.
   */
  readonly invitePage: string | undefined;
  /** The invite web pages (WEB_LISTEN); undefined = no web server. */
  readonly web: WebConfig | undefined;
  /** Where Redis is (src/config/redis.ts, docs/redis.md) and how long one operation may take (REDIS_TIMEOUT_MS). */
  readonly redis: RedisConfig;
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
  /** The operations listener (OPS_LISTEN: /healthz and /metrics, docs/operations.md); undefined = off. */
  readonly ops: OpsConfig | undefined;
  /** Refuse new usernames that are, or look like, an admin's or the bot's (USERNAME_CONFUSABLES, UTS #39). */
  readonly usernameConfusables: boolean;
  /** The group chat service for circles' chats named by a name alone (MUC_SERVICE); undefined = found by XEP-0030. */
  readonly mucService: string | undefined;
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

/** Exactly one of: one server (REDIS_URL), a master found through Sentinel, a Cluster (docs/redis.md). */
export type RedisConfig = { readonly timeoutMs: number } & RedisTarget;

export const DEFAULTS = {
  resource: "invites",
  allowUserInvites: false,
  allowContactInvites: true,
  inviteTtlSeconds: 604_800,
  inviteQuota: 10,
  inviteQuotaPeriodSeconds: 86_400,
  maxPendingInvites: 10,
  userInviteMaxTtlSeconds: 604_800,
  userInviteMaxUses: 1,
  minAccountAgeSeconds: 86_400,
  // ejabberd's mod_invites: a tree of at most 1,000 accounts, and no invite while the one two levels up is under 300 s.
  inviteTreeMax: 1_000,
  chainPaceSeconds: 300,
  approveUserInvited: false,
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
