/**
 * Prosody's claims through a Sentinel failover (docs/redis.md "Failover without losing invites", "Prosody's claims";
 * docs/prosody.md "Redis Sentinel and Redis Cluster"). Hundreds of single-use account invites from the bot are
 * registered in-band through Prosody, about 8 at a time, while the master is failed over (`SENTINEL FAILOVER`) or
 * SIGKILLed. Each registration makes an account or fails cleanly ("try again": the module's unavailable words, or
 * the invite not checked because Redis was away). Once the failover settled, no invite is used twice: each one whose
 * registration succeeded is refused a second time (the use stands on the new master), and each one whose
 * registration failed can still be used, once. On 0.12 and 13.
 */
import type { Element } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_INVITE_NODE as ACCOUNT } from "../../src/commands/invite-commands.js";
import { createInviteUri, errorOf, tokenOf } from "../helpers/adhoc-client.js";
import { eventually, type TestBot } from "../helpers/bot.js";
import { uniqueName } from "../helpers/names.js";
import { type Scenario, startScenarioOn } from "../helpers/scenario.js";
import { type SentinelServers, startSentinelServers } from "../helpers/sentinel-servers.js";
import type { TestUser } from "../helpers/xmpp-user.js";

const INVITES = Number(process.env.SENTINEL_REGISTRATIONS ?? 300);
const IN_FLIGHT = 8;
/** The failover starts once this many registrations are done, so that some ran before it. */
const BEFORE_FAILOVER = 20;
/** Registrations go on until this many ran after the failover settled. */
const AFTER_SETTLED = 40;

let world: Scenario;
let servers: SentinelServers;
let bot: TestBot;
let admin: TestUser;

beforeAll(async () => {
  world = await startScenarioOn(async () => {
    servers = await startSentinelServers();
    return servers;
  });
  bot = await world.startBot("bot", { REDIS_URL: "", ...servers.sentinel.env });
  admin = await world.login("admin@localhost");
}, 90_000);

afterAll(async () => {
  if (process.env.SHOW_PROSODY_LOG) process.stderr.write(world.servers.prosody.logTail(200_000));
  await world?.stop();
});

/** Runs `task` over `items`, `width` at a time, in order of start. */
async function inParallel<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/**
 * Single-use account invites from the bot (its writes are confirmed on the replicas: docs/redis.md); one it refuses
 * with "try again" (a replica not confirming in time, e.g. still syncing) is asked again.
 */
function makeInvites(count: number): Promise<string[]> {
  return inParallel(Array.from({ length: count }), IN_FLIGHT, () =>
    eventually(async () => tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT)), 20_000, 250),
  );
}

type Outcome = { token: string; made: boolean; error?: string };

function describeError(iq: Element): string {
  const { type, condition, text } = errorOf(iq);
  return `${type}/${condition}: ${text ?? ""}`;
}

async function register(token: string): Promise<Outcome> {
  const { preauth, register: reply } = await world.registerWithInvite(token, uniqueName("sr-user"));
  if (reply.attrs.type === "result") return { token, made: true };
  const preauthError = preauth.attrs.type === "error" ? ` (preauth: ${describeError(preauth)})` : "";
  return { token, made: false, error: describeError(reply) + preauthError };
}

/** Tokens made by the bot, handed to the registrations as they come (a registration waits for the next one). */
class Tokens {
  readonly #ready: string[] = [];
  readonly #waiting: ((token: string | undefined) => void)[] = [];
  #closed = false;

  constructor(tokens: readonly string[]) {
    this.#ready.push(...tokens);
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(token: string): void {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#ready.push(token);
    else waiter(token);
  }

  take(): Promise<string | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    const token = this.#ready.shift();
    if (token !== undefined) return Promise.resolve(token);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter(undefined);
  }
}

/** Until `tokens` close: the bot makes invites back to back (those it refuses while Redis moves are asked again). */
async function keepMaking(tokens: Tokens): Promise<void> {
  while (!tokens.closed) {
    try {
      tokens.push(tokenOf(await createInviteUri(admin, bot.jid, ACCOUNT)));
    } catch {
      // "try again" while the master moves: the next request is the retry.
    }
  }
}

/**
 * Registers with `pool` and then with the invites the bot goes on making, `disrupt` starting after the first few,
 * until AFTER_SETTLED registrations ran after it settled: every registration gets an answer.
 */
async function registerThrough(pool: readonly string[], disrupt: () => Promise<number>) {
  const tokens = new Tokens(pool);
  const making = keepMaking(tokens);
  let done = 0;
  let afterSettled = 0;
  let settled = false;
  let disruption: Promise<number> | undefined;
  const outcomes: Outcome[] = [];
  const worker = async () => {
    for (let token = await tokens.take(); token !== undefined; token = await tokens.take()) {
      outcomes.push(await register(token));
      done += 1;
      if (settled && ++afterSettled >= AFTER_SETTLED) tokens.close();
      if (done === BEFORE_FAILOVER) {
        disruption = disrupt().then((port) => {
          settled = true;
          return port;
        });
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await Promise.all([disruption, making]);
  return outcomes;
}

/**
 * The words a registration gets while Redis is away or the claim is not confirmed: the module's "unavailable" on the
 * registration, or (its preauth refused with those words) Prosody's "through invitation only" with the preauth's.
 */
const CLEAN = /Invites are unavailable at the moment \(the invite store cannot be reached\)/u;

/** Counts what became of each invite once the failover settled: a second registration with each. */
async function audit(outcomes: readonly Outcome[]) {
  // Registration works again, without restarting anything.
  const [fresh] = await makeInvites(1);
  await eventually(async () => expect((await register(fresh as string)).made).toBe(true), 20_000, 250);
  const made = outcomes.filter((o) => o.made);
  const failed = outcomes.filter((o) => !o.made);
  // Refused for good (the invite is used), not "unavailable" for a moment: that one is asked again.
  const again = await inParallel(made, IN_FLIGHT, (o) =>
    eventually(
      async () => {
        const retry = await register(o.token);
        if (!retry.made && CLEAN.test(retry.error ?? "")) throw new Error(retry.error);
        return retry;
      },
      15_000,
      500,
    ),
  );
  const doubled = again.filter((o) => o.made).length;
  // A failed registration's claim goes back (at once, or as soon as Redis answers): the invite works once more.
  const stuck: string[] = [];
  await inParallel(failed, IN_FLIGHT, async (o) => {
    try {
      await eventually(
        async () => {
          const retry = await register(o.token);
          if (!retry.made) throw new Error(retry.error);
        },
        15_000,
        500,
      );
    } catch (error) {
      stuck.push(`${o.token.slice(0, 6)}: ${o.error} → ${String(error)}`);
    }
  });
  const errors = new Map<string, number>();
  for (const o of failed) errors.set(o.error ?? "", (errors.get(o.error ?? "") ?? 0) + 1);
  const figures = { accounts: made.length, failedCleanly: failed.length, refusedAgain: made.length - doubled, doubled };
  process.stderr.write(`sentinel-registrations: ${JSON.stringify(figures)} errors ${JSON.stringify([...errors])}\n`);
  return { doubled, stuck, errors: [...errors.keys()] };
}

describe("single-use invites registered through a Sentinel failover", () => {
  const changes: [string, () => Promise<number>][] = [
    ["SENTINEL FAILOVER", () => servers.sentinel.failover()],
    ["master SIGKILLed", () => servers.sentinel.killMaster()],
  ];
  for (const [change, make] of changes) {
    it(`${change}: each registration makes an account or fails cleanly, and no invite is used twice`, async () => {
      const tokens = await makeInvites(INVITES);
      const before = await servers.sentinel.masterPort();
      const outcomes = await registerThrough(tokens, make);
      expect(await servers.sentinel.masterPort()).not.toBe(before);
      const { doubled, stuck, errors } = await audit(outcomes);
      for (const error of errors) expect(error).toMatch(CLEAN);
      expect(doubled, "invites whose use the failover dropped").toBe(0);
      expect(stuck).toEqual([]);
    }, 240_000);
  }
});
