import { describe, expect, it } from "vitest";
import { type Listener, startListenersAfter } from "../../../src/app/listeners.js";

/** A listener that notes when it starts, and answers `ok`. */
function listener(name: string, started: string[], ok = true): Listener {
  return {
    start: async () => {
      started.push(name);
      return ok;
    },
  };
}

describe("startListenersAfter", () => {
  it("starts the listeners in order once the first attempt has settled, failed or not", async () => {
    const started: string[] = [];
    let settle: (value: unknown) => void = () => {};
    const first = new Promise((_resolve, reject) => {
      settle = reject;
    });
    const done = startListenersAfter(first, [listener("ops", started), listener("web", started)], 60_000);
    await Promise.resolve();
    expect(started).toEqual([]);
    settle(new Error("ECONNREFUSED"));
    expect(await done).toBe(true);
    expect(started).toEqual(["ops", "web"]);
  });

  it("starts them after the wait when the first attempt hangs", async () => {
    const started: string[] = [];
    const never = new Promise(() => {});
    expect(await startListenersAfter(never, [listener("ops", started)], 1)).toBe(true);
    expect(started).toEqual(["ops"]);
  });

  it("stops at the first that cannot listen", async () => {
    const started: string[] = [];
    const ops = listener("ops", started, false);
    expect(await startListenersAfter(Promise.resolve(), [ops, listener("web", started)], 60_000)).toBe(false);
    expect(started).toEqual(["ops"]);
  });
});
