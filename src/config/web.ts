/** The invite web pages (docs/web.md): WEB_LISTEN turns them on, and every other WEB_* variable needs it. */
import type { Reader } from "./reader.js";
import { readTrustProxy } from "./trust-proxy.js";
import { DEFAULTS, type WebConfig } from "./types.js";

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

export function readWeb(reader: Reader, domain: string): WebConfig | undefined {
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
