/** The bot's XMPP account: XMPP_DOMAIN, XMPP_USERNAME, XMPP_PASSWORD and XMPP_SERVICE, and its XMPP_RESOURCE. */
import { hostname } from "node:os";
import { isValidDomain, isValidLocal } from "../jid.js";
import type { Reader } from "./reader.js";
import { type Config, DEFAULTS } from "./types.js";

const SERVICE_PROTOCOLS = ["xmpp:", "xmpps:", "ws:", "wss:"];

/** Everything of `Config["xmpp"]` but XMPP_RESOURCE and XMPP_DEBUG, read later (their problems come later). */
export function readXmppAccount(reader: Reader): Omit<Config["xmpp"], "resource" | "debug"> {
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
  return { service, domain, username, password };
}

/** The longest host name part of a default resource; a resourcepart may be 1023 bytes (RFC 7622 §3.4.1). */
const MAX_HOST_PART = 63;

/**
 * XMPP_RESOURCE, else `invites-HOST` from the host name (`HOSTNAME`, as containers set it, else the system's): each
 * instance its own resource, the same across restarts, so it keeps its pending use events (its consumer name) and
 * two containers never replace each other (docs/instances.md). Letters, digits, `.`, `_` and `-` are kept as they
 * are; anything else becomes `-`.
 */
export function readResource(reader: Reader, systemHostName: string = hostname()): string {
  const explicit = reader.optional("XMPP_RESOURCE");
  if (explicit !== undefined) return explicit;
  const host = (reader.optional("HOSTNAME") ?? systemHostName)
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_HOST_PART);
  return host === "" ? DEFAULTS.resource : `${DEFAULTS.resource}-${host}`;
}
