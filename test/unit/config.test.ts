import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULTS, loadConfig } from "../../src/config.js";

const KEY = "k".repeat(32);
const minimal = {
  XMPP_DOMAIN: "example.org",
  XMPP_USERNAME: "invites",
  XMPP_PASSWORD: "secret",
  INVITE_SIGNING_KEY: KEY,
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(minimal);
    expect(config.xmpp).toEqual({
      // Resolved like a client does: DNS SRV, XEP-0156, then example.org:5222.
      service: "example.org",
      domain: "example.org",
      username: "invites",
      password: "secret",
      // From the host name (test/unit/config/resource.test.ts): each instance its own.
      resource: expect.stringMatching(/^invites-[A-Za-z0-9._-]+$/u),
      debug: false,
    });
    expect([...config.admins]).toEqual([]);
    expect(config.allowUserInvites).toBe(false);
    expect(config.allowContactInvites).toBe(true);
    expect(config.inviteTtlSeconds).toBe(604_800);
    expect(config.invitePage).toBeUndefined();
    expect(config.redis).toEqual({ url: DEFAULTS.redisUrl, timeoutMs: 500 });
    expect(config.logLevel).toBe("info");
  });

  it("reads every variable", () => {
    const config = loadConfig({
      ...minimal,
      XMPP_SERVICE: "xmpps://xmpp.example.org:5223",
      XMPP_RESOURCE: "bot",
      XMPP_DEBUG: "1",
      ADMIN_JIDS: " Alice@Example.ORG , bob@other.example ",
      ALLOW_USER_INVITES: "yes",
      ALLOW_CONTACT_INVITES: "FALSE",
      INVITE_TTL: "3600",
      REDIS_URL: "redis://:pw@10.0.0.2:6380/2",
      REDIS_TIMEOUT_MS: "500",
      INVITE_PAGE: "https://{host}/invite?{token}",
      LOG_LEVEL: "debug",
    });
    expect(config.xmpp.service).toBe("xmpps://xmpp.example.org:5223");
    expect(config.xmpp.resource).toBe("bot");
    expect(config.xmpp.debug).toBe(true);
    expect([...config.admins]).toEqual(["alice@example.org", "bob@other.example"]);
    expect(config.allowUserInvites).toBe(true);
    expect(config.allowContactInvites).toBe(false);
    expect(config.inviteTtlSeconds).toBe(3600);
    expect(config.redis).toEqual({ url: "redis://:pw@10.0.0.2:6380/2", timeoutMs: 500 });
    expect(config.invitePage).toBe("https://{host}/invite?{token}");
    expect(config.logLevel).toBe("debug");
  });

  it("checks usernames against lookalikes of admins and the bot unless USERNAME_CONFUSABLES=false", () => {
    expect(loadConfig(minimal).usernameConfusables).toBe(true);
    expect(loadConfig({ ...minimal, USERNAME_CONFUSABLES: "false" }).usernameConfusables).toBe(false);
    expect(problemsOf({ ...minimal, USERNAME_CONFUSABLES: "maybe" })).toEqual([
      'USERNAME_CONFUSABLES must be true or false, got "maybe"',
    ]);
  });

  it("reads the signing key and the old keys still accepted after a rotation", () => {
    expect(loadConfig(minimal).signingKeys).toEqual({ current: KEY, old: [] });
    const rotated = loadConfig({ ...minimal, INVITE_SIGNING_KEYS_OLD: ` ${"a".repeat(32)} , ${"b".repeat(40)} ` });
    expect(rotated.signingKeys.old).toEqual(["a".repeat(32), "b".repeat(40)]);
    expect(problemsOf({ ...minimal, INVITE_SIGNING_KEYS_OLD: "tooshort" })).toEqual([
      "INVITE_SIGNING_KEYS_OLD must be at least 32 characters (make one with: openssl rand -base64 32)",
    ]);
  });

  it("treats empty values as unset, as dotenv leaves them", () => {
    const config = loadConfig({ ...minimal, ADMIN_JIDS: "", INVITE_TTL: " ", XMPP_RESOURCE: "", HOSTNAME: "box" });
    expect(config.inviteTtlSeconds).toBe(604_800);
    expect(config.xmpp.resource).toBe("invites-box");
  });

  it("returns a frozen object", () => {
    const config = loadConfig(minimal);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.xmpp)).toBe(true);
  });

  it("lists every missing required variable at once", () => {
    expect(problemsOf({})).toEqual([
      "XMPP_DOMAIN is required (for example XMPP_DOMAIN=example.org)",
      "XMPP_USERNAME is required (for example XMPP_USERNAME=invites)",
      "XMPP_PASSWORD is required (for example XMPP_PASSWORD=a-long-secret)",
      "INVITE_SIGNING_KEY is required: a secret of at least 32 characters, the same as Prosody's invites_redis_signing_key (make one with: openssl rand -base64 32)",
    ]);
  });

  it("lists every malformed value at once", () => {
    const problems = problemsOf({
      XMPP_DOMAIN: "not a domain",
      XMPP_USERNAME: "invites@example.org",
      XMPP_PASSWORD: "x",
      XMPP_SERVICE: "http://example.org",
      XMPP_DEBUG: "maybe",
      ADMIN_JIDS: "alice@example.org,bob,carol@example.org/phone",
      ALLOW_USER_INVITES: "sure",
      ALLOW_CONTACT_INVITES: "2",
      INVITE_TTL: "7d",
      REDIS_URL: "localhost:6379",
      REDIS_TIMEOUT_MS: "-1",
      INVITE_PAGE: "ftp://example.org/",
      LOG_LEVEL: "loud",
      INVITE_SIGNING_KEY: "short",
    });
    expect(problems).toEqual([
      'XMPP_DOMAIN is not a domain name: "not a domain"',
      'XMPP_USERNAME is the local part only (for example "invites"), not a JID: "invites@example.org"',
      'XMPP_SERVICE must start with xmpp:// or xmpps:// or ws:// or wss://, got "http://example.org"',
      'REDIS_URL must start with redis:// or rediss://, got "localhost:6379"',
      'XMPP_DEBUG must be true or false, got "maybe"',
      'ADMIN_JIDS: "bob" is not a bare JID (expected user@domain, without /resource)',
      'ADMIN_JIDS: "carol@example.org/phone" is not a bare JID (expected user@domain, without /resource)',
      'ALLOW_USER_INVITES must be true or false, got "sure"',
      'ALLOW_CONTACT_INVITES must be true or false, got "2"',
      'INVITE_TTL must be a whole number of seconds from 60 to 31622400, got "7d"',
      'INVITE_PAGE must contain {token} or {uri}, got "ftp://example.org/"',
      'INVITE_PAGE must start with https:// or http://, got "ftp://example.org/"',
      'REDIS_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, got "-1"',
      "INVITE_SIGNING_KEY must be at least 32 characters (make one with: openssl rand -base64 32)",
      'LOG_LEVEL must be one of debug, info, warn, error, silent, got "loud"',
    ]);
  });

  it("refuses a lifetime below a minute", () => {
    expect(problemsOf({ ...minimal, INVITE_TTL: "59" })).toEqual([
      'INVITE_TTL must be a whole number of seconds from 60 to 31622400, got "59"',
    ]);
  });

  it("rejects a URL that does not parse", () => {
    expect(problemsOf({ ...minimal, REDIS_URL: "redis://[broken" })).toEqual([
      'REDIS_URL is not a valid URL: "redis://[broken" (for example redis://127.0.0.1:6379)',
    ]);
  });

  it("puts every problem in the error message", () => {
    expect(() => loadConfig({})).toThrowError(/XMPP_DOMAIN is required[\s\S]*XMPP_PASSWORD is required/u);
  });
});

describe("INVITE_QUOTA", () => {
  it("defaults to 10 invites per 24 hours", () => {
    expect(loadConfig(minimal).inviteQuota).toBe(10);
  });

  it("reads a number and refuses anything else", () => {
    expect(loadConfig({ ...minimal, INVITE_QUOTA: "3" }).inviteQuota).toBe(3);
    expect(problemsOf({ ...minimal, INVITE_QUOTA: "0" })).toEqual([
      'INVITE_QUOTA must be a whole number of invites from 1 to 100000, got "0"',
    ]);
  });
});

describe("the rest of the policy for users' invites", () => {
  it("defaults to 24 hours, 10 pending, one week and one day", () => {
    const config = loadConfig(minimal);
    expect(config.inviteQuotaPeriodSeconds).toBe(86_400);
    expect(config.maxPendingInvites).toBe(10);
    expect(config.userInviteMaxTtlSeconds).toBe(604_800);
    expect(config.minAccountAgeSeconds).toBe(86_400);
    expect(loadConfig({ ...minimal, INVITE_MIN_ACCOUNT_AGE: "0" }).minAccountAgeSeconds).toBe(0);
  });

  it("reads each and refuses what is out of range", () => {
    const config = loadConfig({
      ...minimal,
      INVITE_QUOTA_PERIOD: "3600",
      INVITE_MAX_PENDING: "3",
      INVITE_USER_MAX_TTL: "7200",
    });
    expect([config.inviteQuotaPeriodSeconds, config.maxPendingInvites, config.userInviteMaxTtlSeconds]).toEqual([
      3_600, 3, 7_200,
    ]);
    expect(
      problemsOf({ ...minimal, INVITE_QUOTA_PERIOD: "10", INVITE_MAX_PENDING: "0", INVITE_USER_MAX_TTL: "1w" }),
    ).toEqual([
      'INVITE_QUOTA_PERIOD must be a whole number of seconds from 60 to 31622400, got "10"',
      'INVITE_MAX_PENDING must be a whole number of invites from 1 to 100000, got "0"',
      'INVITE_USER_MAX_TTL must be a whole number of seconds from 60 to 31622400, got "1w"',
    ]);
  });

  it("holds nobody for approval unless APPROVE_USER_INVITED is true", () => {
    expect(loadConfig(minimal).approveUserInvited).toBe(false);
    expect(loadConfig({ ...minimal, APPROVE_USER_INVITED: "true" }).approveUserInvited).toBe(true);
    expect(problemsOf({ ...minimal, APPROVE_USER_INVITED: "maybe" })).toEqual([
      'APPROVE_USER_INVITED must be true or false, got "maybe"',
    ]);
  });

  it("defaults to single use, ejabberd's tree of 1,000 and pace of 300 s; reads each, refuses what is out of range", () => {
    const config = loadConfig(minimal);
    expect([config.userInviteMaxUses, config.inviteTreeMax, config.chainPaceSeconds]).toEqual([1, 1_000, 300]);
    const set = loadConfig({ ...minimal, INVITE_USER_MAX_USES: "5", INVITE_TREE_MAX: "50", INVITE_CHAIN_PACE: "0" });
    expect([set.userInviteMaxUses, set.inviteTreeMax, set.chainPaceSeconds]).toEqual([5, 50, 0]);
    expect(
      problemsOf({ ...minimal, INVITE_USER_MAX_USES: "101", INVITE_TREE_MAX: "-1", INVITE_CHAIN_PACE: "5m" }),
    ).toEqual([
      'INVITE_USER_MAX_USES must be a whole number of uses from 1 to 100, got "101"',
      'INVITE_TREE_MAX must be a whole number of accounts from 0 to 1000000, got "-1"',
      'INVITE_CHAIN_PACE must be a whole number of seconds from 0 to 31622400, got "5m"',
    ]);
  });
});

describe("NOTIFY_ADMINS", () => {
  it("is off unless set", () => {
    expect(loadConfig(minimal).notifyAdmins).toBe(false);
    expect(loadConfig({ ...minimal, NOTIFY_ADMINS: "true" }).notifyAdmins).toBe(true);
    expect(problemsOf({ ...minimal, NOTIFY_ADMINS: "sometimes" })).toEqual([
      'NOTIFY_ADMINS must be true or false, got "sometimes"',
    ]);
  });
});

describe("flood control settings", () => {
  it("default to a burst of 20 and 2 per second", () => {
    expect(loadConfig(minimal).rateLimit).toEqual({ burst: 20, perSecond: 2 });
    expect(loadConfig({ ...minimal, RATE_LIMIT_BURST: "5", RATE_LIMIT_PER_SECOND: "1" }).rateLimit).toEqual({
      burst: 5,
      perSecond: 1,
    });
  });
});

describe("web pages (WEB_LISTEN, WEB_URL, SITE_NAME, TRUST_PROXY)", () => {
  const web = { ...minimal, WEB_LISTEN: "127.0.0.1:8080", WEB_URL: "https://invite.example.org/" };

  it("are off unless WEB_LISTEN is set, and INVITE_PAGE keeps its meaning", () => {
    expect(loadConfig(minimal).web).toBeUndefined();
    expect(loadConfig(minimal).invitePage).toBeUndefined();
  });

  it("read every setting, with the site name defaulting to the domain", () => {
    const config = loadConfig(web);
    expect(config.web).toEqual({
      listen: { host: "127.0.0.1", port: 8080 },
      url: "https://invite.example.org",
      siteName: "example.org",
      trustProxy: false,
      appsFile: undefined,
      viewsPerMinute: 60,
      attemptsPer10Minutes: 10,
      maxConnections: 1000,
      maxConnectionsPerAddress: 50,
      requestTimeoutMs: 20_000,
    });
    const named = loadConfig({ ...web, SITE_NAME: "Example Chat", TRUST_PROXY: "yes", WEB_LISTEN: "[::1]:0" });
    expect(named.web?.siteName).toBe("Example Chat");
    expect(named.web?.trustProxy).toBe(1);
    expect(named.web?.listen).toEqual({ host: "::1", port: 0 });
  });

  it("read TRUST_PROXY as false, a number of proxies (true is one), or the proxies' addresses", () => {
    const trust = (value: string) => loadConfig({ ...web, TRUST_PROXY: value }).web?.trustProxy;
    expect([trust("false"), trust("0"), trust("no")]).toEqual([false, false, false]);
    expect([trust("true"), trust("1"), trust("2"), trust("10")]).toEqual([1, 1, 2, 10]);
    expect(trust("127.0.0.1")).toEqual(["127.0.0.1"]);
    expect(trust(" 10.0.0.0/8, ::1 ,fd00::/8,192.0.2.7/32")).toEqual(["10.0.0.0/8", "::1", "fd00::/8", "192.0.2.7/32"]);
    const expected = (value: string) =>
      "TRUST_PROXY must be false, the number of proxies in front (1 to 10; true = 1), or their addresses " +
      `(for example TRUST_PROXY=127.0.0.1 or TRUST_PROXY=10.0.0.0/8,fd00::/8), got "${value}"`;
    for (const wrong of [
      "11",
      "proxy.example.org",
      "10.0.0.0/33",
      "fd00::/129",
      "10.0.0.1,",
      "fe80::1%eth0",
      "1.2.3.4/8/8",
    ]) {
      expect(problemsOf({ ...web, TRUST_PROXY: wrong })).toEqual([expected(wrong)]);
    }
  });

  it("read the connection caps and the request timeout", () => {
    const caps = loadConfig({
      ...web,
      WEB_MAX_CONNECTIONS: "5000",
      WEB_MAX_CONNECTIONS_PER_ADDRESS: "50",
      WEB_REQUEST_TIMEOUT_MS: "5000",
    }).web;
    expect([caps?.maxConnections, caps?.maxConnectionsPerAddress, caps?.requestTimeoutMs]).toEqual([5000, 50, 5000]);
    expect(problemsOf({ ...web, WEB_MAX_CONNECTIONS: "0", WEB_REQUEST_TIMEOUT_MS: "999" })).toEqual([
      'WEB_MAX_CONNECTIONS must be a whole number of connections from 1 to 100000, got "0"',
      'WEB_REQUEST_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 600000, got "999"',
    ]);
    expect(problemsOf({ ...minimal, WEB_MAX_CONNECTIONS_PER_ADDRESS: "5" })).toEqual([
      "WEB_MAX_CONNECTIONS_PER_ADDRESS is set but WEB_LISTEN is not: set WEB_LISTEN to turn the web pages on",
    ]);
  });

  it("read the per-address limits of the pages", () => {
    const limits = loadConfig({ ...web, WEB_VIEWS_PER_MINUTE: "600", WEB_ATTEMPTS_PER_10_MINUTES: "30" }).web;
    expect([limits?.viewsPerMinute, limits?.attemptsPer10Minutes]).toEqual([600, 30]);
    expect(problemsOf({ ...web, WEB_VIEWS_PER_MINUTE: "0" })).toEqual([
      'WEB_VIEWS_PER_MINUTE must be a whole number of pages from 1 to 1000000, got "0"',
    ]);
  });

  it("make every landing-url the bot's own page, unless INVITE_PAGE is set", () => {
    expect(loadConfig(web).invitePage).toBe("https://invite.example.org/invite/{token}");
    expect(loadConfig({ ...web, WEB_URL: "https://example.org/join/" }).invitePage).toBe(
      "https://example.org/join/invite/{token}",
    );
    const own = "https://example.org/invites_page?{token}";
    expect(loadConfig({ ...web, INVITE_PAGE: own }).invitePage).toBe(own);
  });

  it("allow http only for a loopback WEB_URL", () => {
    expect(loadConfig({ ...web, WEB_URL: "http://127.0.0.1:8080" }).web?.url).toBe("http://127.0.0.1:8080");
    expect(loadConfig({ ...web, WEB_URL: "http://localhost:8080" }).web?.url).toBe("http://localhost:8080");
    expect(problemsOf({ ...web, WEB_URL: "http://invite.example.org" })).toEqual([
      'WEB_URL must be https (http only for a loopback address such as http://127.0.0.1:8080), got "http://invite.example.org"',
    ]);
  });

  it("report every problem at once, with the others", () => {
    expect(problemsOf({ ...minimal, XMPP_DOMAIN: "", WEB_LISTEN: "8080", TRUST_PROXY: "maybe" })).toEqual([
      "XMPP_DOMAIN is required (for example XMPP_DOMAIN=example.org)",
      'WEB_LISTEN must be host:port (for example WEB_LISTEN=127.0.0.1:8080), got "8080"',
      "WEB_URL is required with WEB_LISTEN: the address people open (for example WEB_URL=https://invite.example.org)",
      "TRUST_PROXY must be false, the number of proxies in front (1 to 10; true = 1), or their addresses " +
        '(for example TRUST_PROXY=127.0.0.1 or TRUST_PROXY=10.0.0.0/8,fd00::/8), got "maybe"',
    ]);
    expect(problemsOf({ ...web, WEB_URL: "https://example.org/?a=1", WEB_LISTEN: "127.0.0.1:70000" })).toEqual([
      'WEB_LISTEN must be host:port (for example WEB_LISTEN=127.0.0.1:8080), got "127.0.0.1:70000"',
      'WEB_URL must be a plain base URL without ?query, #fragment or user:password, got "https://example.org/?a=1"',
    ]);
  });

  it("refuse web settings without WEB_LISTEN instead of ignoring them", () => {
    expect(problemsOf({ ...minimal, WEB_URL: "https://invite.example.org" })).toEqual([
      "WEB_URL is set but WEB_LISTEN is not: set WEB_LISTEN to turn the web pages on",
    ]);
  });
});
