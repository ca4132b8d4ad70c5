/**
 * A Sentinel failover under load, for the instances phase: the load runs, then `change` (SENTINEL FAILOVER, or a
 * SIGKILL of the master: test/helpers/redis-sentinel.ts, which resolves once the Sentinels agree on the new master
 * and every live node follows it), and the load goes on until invites have worked again for a while.
 *
 * The outage is the longest pause between two successive successful invites (any client, any instance) that ends
 * after the change began: from the last success before to the first success after. Every request meanwhile got the
 * store's clean "try again" (counted) or was held until it succeeded; any other answer fails the run
 * (bench-instances-client.ts).
 */
import { type LoadClient, loadUntil, type Outcome } from "./bench-instances-client.js";

export interface FailoverResult {
  how: string;
  /** Last success before to first success after, in ms. */
  outageMs: number;
  /** When the outage began and ended, in ms after the change was started (the first may be negative). */
  fromMs: number;
  toMs: number;
  /** From the change's start until the first Sentinel named another master (polled every 50 ms). */
  switchedMs: number | undefined;
  /** From the change's start until the Sentinels agreed and the nodes followed. */
  settledMs: number;
  refused: number;
  succeeded: number;
  /** The slowest successful request (one held through the switch). */
  slowestMs: number;
}

/** Load before the change, and after invites work again. */
const STEADY_MS = 1_000;
/** Invites must work again this long after the Sentinels settled, or the run fails. */
const RECOVERY_LIMIT_MS = 30_000;

export async function measureFailover(
  clients: readonly LoadClient[],
  targets: readonly string[],
  how: string,
  change: () => Promise<number>,
  namedMaster: () => Promise<number>,
): Promise<FailoverResult> {
  let changedAt = 0;
  const before = await namedMaster();
  let settledAt: number | undefined;
  let switchedAt: number | undefined;
  const done = (outcomes: readonly Outcome[]): boolean => {
    if (settledAt === undefined) return false;
    const now = performance.now();
    if (now > settledAt + RECOVERY_LIMIT_MS) return true;
    const lastRefusal = lastDone(outcomes, false);
    const lastSuccess = lastDone(outcomes, true);
    // Successes again after the last refusal and after the switch, for a while.
    return lastSuccess > lastRefusal && lastSuccess > settledAt && now > Math.max(lastRefusal, settledAt) + STEADY_MS;
  };
  const running = loadUntil(clients, targets, done);
  try {
    await new Promise((resolve) => setTimeout(resolve, STEADY_MS));
    changedAt = performance.now();
    const switched = whenSwitched(before, namedMaster);
    await change();
    settledAt = performance.now();
    switchedAt = await switched.settle();
  } catch (error) {
    settledAt = Number.NEGATIVE_INFINITY; // stops the load
    await running.catch(() => undefined);
    throw error;
  }
  const run = await running;
  const successes = run.outcomes
    .filter((o) => o.ok)
    .map((o) => o.doneAt)
    .sort((a, b) => a - b);
  const start = changedAt;
  let gap = { from: start, to: start };
  for (let i = 1; i < successes.length; i += 1) {
    const [from, to] = [successes[i - 1] as number, successes[i] as number];
    if (to > start && to - from > gap.to - gap.from) gap = { from, to };
  }
  if ((successes.at(-1) ?? 0) <= settledAt) {
    throw new Error(`${how}: no invite succeeded within ${RECOVERY_LIMIT_MS / 1000} s after the Sentinels settled`);
  }
  return {
    how,
    outageMs: gap.to - gap.from,
    fromMs: gap.from - start,
    toMs: gap.to - start,
    switchedMs: switchedAt === undefined ? undefined : switchedAt - start,
    settledMs: settledAt - start,
    refused: run.failed,
    succeeded: successes.length,
    slowestMs: Math.max(...run.outcomes.filter((o) => o.ok).map((o) => o.ms)),
  };
}

function lastDone(outcomes: readonly Outcome[], ok: boolean): number {
  for (let i = outcomes.length - 1; i >= 0; i -= 1) {
    const outcome = outcomes[i] as Outcome;
    if (outcome.ok === ok) return outcome.doneAt;
  }
  return Number.NEGATIVE_INFINITY;
}

/** Polls `namedMaster` until it names another port than `before`; settle() stops polling and says when it did. */
function whenSwitched(before: number, namedMaster: () => Promise<number>) {
  let at: number | undefined;
  let polling = true;
  const poll = (async () => {
    while (polling && at === undefined) {
      const named = await namedMaster().catch(() => before);
      if (named !== before) at = performance.now();
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async settle(): Promise<number | undefined> {
      polling = false;
      await poll;
      return at;
    },
  };
}
