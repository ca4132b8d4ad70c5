/**
 * The bot's XMPP connection: @xmpp/client with reconnection that backs off
 * (1 s, 2 s, then every 3 s, so a restarted server sees the bot within seconds),
 * and one clear log line per connect, auth failure and disconnect.
 */
import type { Client } from "@xmpp/client";
import { xml } from "@xmpp/xml";
import type { Config } from "../config.js";
import { type EventSink, silentSink } from "../events.js";
import type { Logger } from "../logger.js";
import { guardedCredentials } from "./credentials.js";
import { attachDebugLog } from "./debug-log.js";
import { ackOnlyStreamManagement } from "./stream-management.js";
import { xmppClient } from "./xmpp-client.js";

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 3_000;
/** A wrong password does not fix itself quickly; do not hammer the server. */
const AUTH_RETRY_MS = 30_000;

/** Node's codes for a certificate that does not verify (tls.connect). */
export const TLS_VERIFY_ERRORS: ReadonlySet<string> = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Why a connection attempt failed, as `connection-failed` says. */
export type ConnectionFailure = "auth" | "unreachable" | "tls-unverified" | "insecure" | "conflict" | "other";

/** What the connection emits (src/events.ts). */
export interface ConnectionEvents {
  /** Logged in, first or again, as `jid` (full). */
  online: { readonly jid: string };
  /** The stream ended while the bot was not stopping; it reconnects. */
  disconnected: { readonly clean: boolean };
  "connection-failed": { readonly reason: ConnectionFailure };
}

export interface ConnectionOptions {
  readonly log: Logger;
  /**
   * Called when going on would do harm: another session took over this JID's resource (RFC 6120 §4.9.3.3
   * <conflict/>). Reconnecting would take it back, and the two would replace each other for ever, losing notices in
   * between.
   */
  readonly onFatal?: (error: Error) => void;
  readonly events?: EventSink<ConnectionEvents>;
}

export interface Connection {
  readonly xmpp: Client;
  /** Connects, and keeps reconnecting until stop(); never rejects. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createConnection(settings: Config["xmpp"], options: ConnectionOptions): Connection {
  const { log, onFatal = () => {}, events = silentSink<ConnectionEvents>() } = options;
  const xmpp = xmppClient({
    service: settings.service,
    domain: settings.domain,
    // The JID is set from username + domain; the password only goes out through the guard.
    username: settings.username,
    credentials: guardedCredentials(settings.username, settings.password),
    resource: settings.resource,
  });
  ackOnlyStreamManagement(xmpp);
  if (settings.debug) attachDebugLog(xmpp);

  let attempts = 0;
  let stopping = false;
  let authFailed = false;
  const where = { service: settings.service, jid: `${settings.username}@${settings.domain}` };

  xmpp.on("online", (address: { toString(): string }) => {
    attempts = 0;
    authFailed = false;
    xmpp.reconnect.delay = FIRST_RETRY_MS;
    log.info("Online", { jid: address.toString() });
    events.emit("online", { jid: address.toString() });
  });
  xmpp.on("disconnect", ({ clean }: { clean?: boolean } = {}) => {
    if (stopping) return;
    log.warn("Disconnected from the XMPP server; reconnecting", { ...where, clean, retry_ms: xmpp.reconnect.delay });
    events.emit("disconnected", { clean: clean === true });
  });
  xmpp.reconnect.on("reconnecting", () => {
    attempts += 1;
    xmpp.reconnect.delay = authFailed ? AUTH_RETRY_MS : Math.min(FIRST_RETRY_MS * 2 ** attempts, MAX_RETRY_MS);
    log.debug("Reconnecting", { attempt: attempts });
  });
  xmpp.on("error", (error: Error & { condition?: string; code?: string }) => {
    const reason = failureOf(error);
    switch (reason) {
      case "conflict":
        stopping = true;
        xmpp.reconnect.stop();
        log.error(
          "Another session logged in with the same JID and resource and replaced this one; stopping. " +
            "Give each bot instance its own XMPP_RESOURCE, or leave it unset: each host then has its own.",
          { jid: `${where.jid}/${settings.resource}` },
        );
        onFatal(error);
        break;
      case "tls-unverified":
        log.error("The server's TLS certificate could not be verified; not logging in", {
          ...where,
          error: error.message,
          hint: "for a private CA, start the bot with NODE_EXTRA_CA_CERTS=/path/to/ca.pem",
        });
        xmpp.reconnect.delay = AUTH_RETRY_MS;
        break;
      case "insecure":
        log.error(error.message, where);
        xmpp.reconnect.delay = AUTH_RETRY_MS;
        break;
      case "auth":
        authFailed = true;
        xmpp.reconnect.delay = AUTH_RETRY_MS;
        log.error("Authentication failed: check XMPP_USERNAME and XMPP_PASSWORD, and that the account exists", {
          ...where,
          condition: error.condition,
        });
        break;
      case "unreachable":
        log.warn("Cannot reach the XMPP server", { ...where, error: error.code });
        break;
      default:
        log.warn("XMPP error", { error: error.message });
    }
    events.emit("connection-failed", { reason });
  });

  return {
    xmpp,
    async start() {
      log.info("Connecting", where);
      try {
        await xmpp.start();
      } catch {
        // Already logged by the "error" listener. A failed socket ends in
        // "disconnect", which the reconnect module retries; anything else
        // (e.g. SASL failure on an open stream) is closed here so it does too.
        if (xmpp.status !== "disconnect" && xmpp.status !== "connecting") await xmpp.disconnect().catch(() => {});
      }
    },
    async stop() {
      stopping = true;
      xmpp.reconnect.stop();
      if (xmpp.status === "online") {
        // RFC 6121 §4.5.1: say goodbye explicitly before closing the stream.
        await xmpp.send(xml("presence", { type: "unavailable" })).catch(() => {});
        await xmpp.stop().catch((error: Error) => log.warn("Unclean XMPP shutdown", { error: error.message }));
      } else if (xmpp.status !== "offline") {
        await xmpp.disconnect().catch(() => {});
      }
    },
  };
}

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH"]);

function failureOf(error: Error & { condition?: string; code?: string }): ConnectionFailure {
  if (error.name === "StreamError" && error.condition === "conflict") return "conflict";
  if (error.code !== undefined && TLS_VERIFY_ERRORS.has(error.code)) return "tls-unverified";
  if (error.name === "InsecureLinkError") return "insecure";
  if (error.name === "SASLError") return "auth";
  if (error.code !== undefined && UNREACHABLE.has(error.code)) return "unreachable";
  return "other";
}
