/**
 * The "backend away" groups of the port contracts (test/helpers/*-contract.ts): each implementation names the ways
 * its backend can be away (Redis stopped or hung, the XMPP server not answering) and how to bring it back.
 */
import { pollUntil } from "./poll.js";
import type { RedisServer } from "./redis-server.js";
import type { XmppProxy } from "./xmpp-proxy.js";

export interface BackendAway {
  /** For the test names: "Redis stopped", "the XMPP server not answering". */
  readonly name: string;
  /** The longest a call may take to fail while the backend is away (a timeout, or at once). */
  readonly failsWithinMs: number;
  /** Takes the backend away; resolves once the implementation can no longer use it. */
  enter(): Promise<void>;
  /** Brings the backend back; resolves once the implementation uses it again. Does nothing when it is not away. */
  leave(): Promise<void>;
}

/** Measures how long `run` takes to settle, whatever the outcome. */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; outcome: PromiseSettledResult<T> }> {
  const start = Date.now();
  const [outcome] = await Promise.allSettled([run()]);
  return { ms: Date.now() - start, outcome: outcome as PromiseSettledResult<T> };
}

/** The error a settled call rejected with (fails the test when it did not reject). */
export function rejection(outcome: PromiseSettledResult<unknown>): unknown {
  if (outcome.status === "fulfilled") throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.reason;
}

/**
 * Redis stopped (the process gone, its data kept) and Redis hung (SIGSTOP: connections open, nothing answered), for
 * an implementation whose `probe` rejects while it cannot use Redis and resolves once it can again.
 */
export function redisAway(
  redis: () => RedisServer,
  probe: () => Promise<unknown>,
  timeoutMs: number,
): { stopped: BackendAway; hung: BackendAway } {
  const usable = async () =>
    probe().then(
      () => true,
      () => false,
    );
  let away: "stopped" | "hung" | undefined;
  const until = (wanted: boolean, what: string) =>
    pollUntil(
      async () => (await usable()) === wanted,
      15_000,
      () => new Error(`the store never ${what}`),
      100,
    );
  return {
    stopped: {
      name: "Redis stopped",
      failsWithinMs: 500,
      async enter() {
        away = "stopped";
        await redis().halt();
        await until(false, "noticed that Redis stopped");
      },
      async leave() {
        if (away !== "stopped") return;
        away = undefined;
        await redis().start();
        await until(true, "used Redis again after its start");
      },
    },
    hung: {
      name: "Redis hung",
      failsWithinMs: timeoutMs + 500,
      async enter() {
        away = "hung";
        redis().pause();
      },
      async leave() {
        if (away !== "hung") return;
        away = undefined;
        redis().resume();
        await until(true, "used Redis again after it resumed");
      },
    },
  };
}

/**
 * The XMPP server not answering: once a client sends bytes matching `request` through the proxy, the server's
 * answers to that connection are held (it may have done the work; the client hears nothing) until leave().
 */
export function xmppNotAnswering(proxy: () => XmppProxy, request: RegExp, deadlineMs: number): BackendAway {
  let armed = false;
  return {
    name: "the XMPP server not answering",
    failsWithinMs: deadlineMs + 1_000,
    async enter() {
      armed = true;
      void proxy().holdAfter(request, "answers");
    },
    async leave() {
      if (!armed) return;
      armed = false;
      proxy().release();
    },
  };
}
