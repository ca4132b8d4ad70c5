import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { HitCounter } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import { AddressCounters } from "../../../src/web/address-counters.js";
import { attachFloodControl } from "../../../src/xmpp/flood-control.js";
import { InFlight } from "../../../src/xmpp/in-flight.js";
import { NS } from "../../../src/xmpp/namespaces.js";
import { RateLimiter } from "../../../src/xmpp/rate-limit.js";
import { SharedFloodBudget, SKIP_AFTER_FAILURE_MS } from "../../../src/xmpp/shared-flood.js";

type Middleware = (ctx: { stanza: Element }, next: () => unknown) => unknown;

/** One bot instance's IQ gate with a budget shared through `counter`, as xmpp.js runs it. */
function instance(counter: HitCounter, clock: () => number, burst = 4) {
  let middleware: Middleware | undefined;
  const client = { middleware: { use: (fn: Middleware) => (middleware = fn) } } as unknown as Client;
  const logs: string[] = [];
  const log = createLogger("debug", { write: (line: string) => logs.push(line) });
  const limiter = new RateLimiter({ burst, perSecond: 1, now: clock });
  const shared = new SharedFloodBudget(counter, { burst, perSecond: 1, log, now: clock });
  const gate = attachFloodControl(client, limiter, new InFlight(), log, undefined, shared);
  const pass = async (from: string) => {
    if (middleware === undefined) throw new Error("no middleware");
    const answer = await middleware(
      { stanza: xml("iq", { type: "get", id: "1", from }, xml("query", { xmlns: NS.discoInfo })) },
      () => Promise.resolve("routed"),
    );
    if (answer === "routed") return "routed";
    return (answer as Element).getChildElements().find((child) => child.attrs.xmlns === NS.stanzas)?.name ?? "?";
  };
  return { pass, gate, logs };
}

describe("one flood budget across instances", () => {
  it("refuses a requester at the same point with two instances as with one, then lets them in again", async () => {
    let now = 1_000_000;
    const clock = () => now;
    const counter = new AddressCounters(clock);
    const [one, two] = [instance(counter, clock), instance(counter, clock)];
    const answers: string[] = [];
    for (let i = 0; i < 4; i += 1) answers.push(await (i % 2 === 0 ? one : two).pass("alice@example.org/x"));
    expect(answers).toEqual(Array(4).fill("routed"));
    // Each instance's own bucket still has 2 tokens: the shared count refuses.
    expect(await one.pass("alice@example.org/x")).toBe("resource-constraint");
    expect(await two.pass("Alice@example.org/y")).toBe("resource-constraint");
    expect(await one.pass("bob@example.org/x")).toBe("routed");
    expect(one.logs.filter((line) => line.includes("Rate-limiting a requester"))).toHaveLength(1);
    // A window is one full refill of the bucket: burst / perSecond = 4 s.
    now += 4_000;
    expect(await two.pass("alice@example.org/x")).toBe("routed");
  });

  it("tells each channel once per flood that it is refused", async () => {
    const clock = () => 0;
    const budget = new SharedFloodBudget(new AddressCounters(clock), {
      burst: 1,
      perSecond: 1,
      log: createLogger("silent"),
      now: clock,
    });
    expect(await budget.take("alice@example.org", "chat")).toEqual({ allowed: true });
    const refusals = [];
    for (const channel of ["chat", "chat", "iq", "iq"]) refusals.push(await budget.take("alice@example.org", channel));
    expect(refusals.map((decision) => !decision.allowed && decision.firstRefusal)).toEqual([true, false, true, false]);
    expect(refusals.every((decision) => !decision.allowed && decision.retryAfterMs === 1_000)).toBe(true);
  });

  it("decides in memory alone while the store is away, without asking it each time, and logs that once", async () => {
    let now = 0;
    let calls = 0;
    let away = true;
    const counter: HitCounter = {
      hit: async () => {
        calls += 1;
        if (away) throw new Error("Redis is away");
        return { count: 1, resetInMs: 1_000 };
      },
    };
    const { pass, logs } = instance(counter, () => now, 2);
    expect(await pass("alice@example.org/x")).toBe("routed");
    expect(await pass("alice@example.org/x")).toBe("routed");
    // The local bucket still applies.
    expect(await pass("alice@example.org/x")).toBe("resource-constraint");
    expect(calls).toBe(1);
    now += SKIP_AFTER_FAILURE_MS;
    expect(await pass("bob@example.org/x")).toBe("routed");
    expect(calls).toBe(2);
    away = false;
    now += SKIP_AFTER_FAILURE_MS;
    expect(await pass("carol@example.org/x")).toBe("routed");
    expect(calls).toBe(3);
    expect(logs.filter((line) => line.includes("in this instance alone"))).toHaveLength(1);
    expect(logs.filter((line) => line.includes("across instances again"))).toHaveLength(1);
  });

  it("asks the store nothing while no other instance is online, and counts again once one is", async () => {
    let calls = 0;
    let others = false;
    const counter: HitCounter = {
      hit: async () => {
        calls += 1;
        return { count: 1, resetInMs: 1_000 };
      },
    };
    const budget = new SharedFloodBudget(counter, {
      burst: 2,
      perSecond: 1,
      log: createLogger("silent"),
      needed: () => others,
    });
    expect(await budget.take("alice@example.org", "iq")).toEqual({ allowed: true });
    expect(calls).toBe(0);
    others = true;
    expect(await budget.take("alice@example.org", "iq")).toEqual({ allowed: true });
    expect(calls).toBe(1);
  });
});
