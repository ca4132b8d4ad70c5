/**
 * The bot's health as a small JSON file (HEALTH_FILE), for a container healthcheck that has no other way to
 * ask a process whether it is logged in: `node dist/healthcheck.js` reads it (src/health/check.ts). Written
 * on every change of the XMPP connection, atomically (a temporary file renamed over the old one), so a reader
 * never sees half a file.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import type { Client } from "@xmpp/client";
import type { Logger } from "../logger.js";
import { TLS_VERIFY_ERRORS } from "../xmpp/connection.js";

export interface HealthState {
  readonly online: boolean;
  /** ISO 8601 time of the last change. */
  readonly since: string;
  /** The process that wrote it: a file left behind by a process that is gone says nothing. */
  readonly pid: number;
  /** The bot's full JID when online. */
  readonly jid?: string;
  /** When offline: the last thing that went wrong, in words. */
  readonly problem?: string;
}

/** The last problem in words an admin can act on; the full story is in the log. */
function problemOf(error: Error & { condition?: string; code?: string }): string {
  if (error.name === "SASLError") {
    return `authentication failed (${error.condition ?? "no reason given"}): check XMPP_USERNAME and XMPP_PASSWORD, and that the account exists`;
  }
  if (error.code !== undefined && TLS_VERIFY_ERRORS.has(error.code)) {
    return `the server's TLS certificate could not be verified (${error.code}): for a private CA, set NODE_EXTRA_CA_CERTS`;
  }
  if (error.code !== undefined) return `cannot reach the XMPP server (${error.code})`;
  return error.message;
}

export function trackHealth(xmpp: Client, path: string, log: Logger, now = () => new Date()): () => void {
  let problem: string | undefined;
  let failed = false;
  const write = (state: Omit<HealthState, "since" | "pid">): void => {
    const full: HealthState = { ...state, since: now().toISOString(), pid: process.pid };
    try {
      writeFileSync(`${path}.tmp`, `${JSON.stringify(full)}\n`);
      renameSync(`${path}.tmp`, path);
      failed = false;
    } catch (error) {
      if (!failed) log.warn("Cannot write HEALTH_FILE", { path, error: (error as Error).message });
      failed = true;
    }
  };
  write({ online: false, problem: "starting" });
  xmpp.on("online", (address: { toString(): string }) => {
    problem = undefined;
    write({ online: true, jid: address.toString() });
  });
  xmpp.on("error", (error: Error) => {
    problem = problemOf(error);
    write({ online: false, problem });
  });
  xmpp.on("disconnect", () => write({ online: false, problem: problem ?? "disconnected from the XMPP server" }));
  return () => rmSync(path, { force: true });
}
