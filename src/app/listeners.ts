/**
 * When the HTTP listeners start: the operations listener, then the web pages, load their modules (prom-client,
 * Fastify, Ajv, the pages: a fifth of a second here) and ready their routes once the XMPP session's first attempt is
 * over, or after `LISTENERS_WAIT_MS` for a server that does not answer. Loading them meanwhile takes the one thread
 * from the handshake and delays going online (docs/benchmarks.md, "Start-up").
 */
import { settledOrAfter } from "./settled-or-after.js";

/** How long the listeners wait at most for the XMPP session's first attempt. */
export const LISTENERS_WAIT_MS = 1_000;

/** A listener: false from start() when it cannot listen (it logged why and told the app's onFatal). */
export interface Listener {
  start(): Promise<boolean>;
}

/** Starts `listeners` one after the other once `first` has settled (or after `waitMs`); false if one could not. */
export async function startListenersAfter(
  first: Promise<unknown>,
  listeners: readonly Listener[],
  waitMs = LISTENERS_WAIT_MS,
): Promise<boolean> {
  await settledOrAfter(first, waitMs);
  for (const listener of listeners) if (!(await listener.start())) return false;
  return true;
}
