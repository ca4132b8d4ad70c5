import { describe, expect, it } from "vitest";
import { allSettledOrThrow, StartFailed, startInSteps } from "../../helpers/start-steps.js";

/** A pretend start step that records its start and its undo in `log`. */
function thing(log: string[], name: string) {
  return {
    start: async () => {
      log.push(`start ${name}`);
      return name;
    },
    undo: async (started: string) => {
      log.push(`undo ${started}`);
    },
  };
}

describe("startInSteps", () => {
  it("returns what build returns and undoes nothing when every step succeeds", async () => {
    const log: string[] = [];
    const a = thing(log, "a");
    const result = await startInSteps("world", async ({ step }) => `${await step("starting a", a.start, a.undo)}!`);
    expect(result).toBe("a!");
    expect(log).toEqual(["start a"]);
  });

  it("undoes the steps that succeeded, newest first, and names the step that failed", async () => {
    const log: string[] = [];
    const [a, b] = [thing(log, "a"), thing(log, "b")];
    const start = startInSteps("world", async ({ step }) => {
      await step("starting a", a.start, a.undo);
      await step("starting b", b.start, b.undo);
      await step("starting c", async () => {
        throw new Error("c is broken");
      });
    });
    await expect(start).rejects.toThrow(new StartFailed("world: starting c failed: c is broken"));
    expect(log).toEqual(["start a", "start b", "undo b", "undo a"]);
  });

  it("undoes the steps when the code between them fails, and keeps the error as the cause", async () => {
    const log: string[] = [];
    const a = thing(log, "a");
    const broken = new Error("no such option");
    const failure = await startInSteps("world", async ({ step }) => {
      await step("starting a", a.start, a.undo);
      throw broken;
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StartFailed);
    expect((failure as Error).message).toBe("world: no such option");
    expect((failure as Error).cause).toBe(broken);
    expect(log).toEqual(["start a", "undo a"]);
  });

  it("goes on undoing when an undo fails, and says so", async () => {
    const log: string[] = [];
    const a = thing(log, "a");
    const start = startInSteps("world", async ({ step }) => {
      await step("starting a", a.start, a.undo);
      await step(
        "starting b",
        async () => "b",
        async () => {
          throw new Error("b will not stop");
        },
      );
      await step("starting c", async () => {
        throw new Error("c is broken");
      });
    });
    await expect(start).rejects.toThrow(
      'world: starting c failed: c is broken\nundoing "starting b" failed too: b will not stop',
    );
    expect(log).toEqual(["start a", "undo a"]);
  });
});

describe("allSettledOrThrow", () => {
  it("lets a step run beside a failed one finish, so that it is undone too", async () => {
    const log: string[] = [];
    let finishSlow: () => void = () => undefined;
    const slowStarted = new Promise<void>((resolve) => {
      finishSlow = resolve;
    });
    const start = startInSteps("world", async ({ step }) => {
      await allSettledOrThrow([
        step(
          "starting slow",
          async () => {
            await slowStarted;
            log.push("start slow");
            return "slow";
          },
          async () => {
            log.push("undo slow");
          },
        ),
        step("starting broken", async () => {
          // The slow one finishes only after this one has failed.
          queueMicrotask(finishSlow);
          throw new Error("broken");
        }),
      ]);
    });
    await expect(start).rejects.toThrow("world: starting broken failed: broken");
    expect(log).toEqual(["start slow", "undo slow"]);
  });

  it("resolves with every value in order", async () => {
    expect(await allSettledOrThrow([Promise.resolve(1), Promise.resolve("two")])).toEqual([1, "two"]);
  });
});
