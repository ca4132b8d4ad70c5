import { describe, expect, it } from "vitest";
import { Events } from "../../../src/events.js";
import { createLogger } from "../../../src/logger.js";
import type { RegistrationEvents } from "../../../src/registration/registrar.js";
import { type UnsettledUse, UnsettledUses } from "../../../src/registration/unsettled-uses.js";

function use(jid: string): UnsettledUse & { settled: Promise<string>; calls: string[] } {
  const calls: string[] = [];
  let done: (how: string) => void = () => {};
  const settled = new Promise<string>((resolve) => {
    done = resolve;
  });
  return {
    jid,
    calls,
    settled,
    made: async () => {
      calls.push("made");
      done("made");
    },
    notMade: async () => {
      calls.push("notMade");
      done("notMade");
    },
  };
}

describe("UnsettledUses", () => {
  it("keeps the use when the account exists, gives it back when not, each exactly once", async () => {
    const events = new Events<RegistrationEvents>();
    const settled: unknown[] = [];
    const bothSettled = new Promise<void>((resolve) =>
      events.on("use-settled", (detail) => {
        if (settled.push(detail) === 2) resolve();
      }),
    );
    const uses = new UnsettledUses({
      exists: async (jid) => jid === "made@example.org",
      attemptTimeoutMs: 1_000,
      log: createLogger("silent"),
      events,
    });
    const [made, absent] = [use("made@example.org"), use("absent@example.org")];
    uses.add(made);
    uses.add(absent);
    expect(await made.settled).toBe("made");
    expect(await absent.settled).toBe("notMade");
    expect([made.calls, absent.calls]).toEqual([["made"], ["notMade"]]);
    expect(uses.size).toBe(0);
    await bothSettled;
    expect(settled).toEqual([
      { jid: "made@example.org", outcome: "stands" },
      { jid: "absent@example.org", outcome: "given-back" },
    ]);
  });

  it("asks again until the server answers, one that never answers and one that fails included", async () => {
    let asked = 0;
    const uses = new UnsettledUses({
      exists: (): Promise<boolean> => {
        asked += 1;
        if (asked === 1) return new Promise(() => {}); // no answer: the attempt's deadline passes
        if (asked === 2) return Promise.reject(new Error("offline"));
        return Promise.resolve(true);
      },
      attemptTimeoutMs: 20,
      retryMs: { first: 5, max: 10 },
      log: createLogger("silent"),
    });
    const pending = use("slow@example.org");
    uses.add(pending);
    expect(uses.size).toBe(1);
    expect(await pending.settled).toBe("made");
    expect(asked).toBe(3);
    expect(pending.calls).toEqual(["made"]);
  });
});
