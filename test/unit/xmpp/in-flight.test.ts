import { describe, expect, it } from "vitest";
import { InFlight } from "../../../src/xmpp/in-flight.js";

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("InFlight", () => {
  it("follows a request until it settles, either way, and hands its result on", async () => {
    const inFlight = new InFlight();
    const ok = deferred<string>();
    const failing = deferred();
    const tracked = inFlight.track(ok.promise);
    const refused = inFlight.track(failing.promise).catch((error: Error) => error.message);
    expect(inFlight.size).toBe(2);
    ok.resolve("answer");
    failing.reject(new Error("refused"));
    expect(await tracked).toBe("answer");
    expect(await refused).toBe("refused");
    expect(inFlight.size).toBe(0);
    expect(inFlight.closing).toBe(false);
  });

  it("drains: closes at once, then waits for what is under way", async () => {
    const inFlight = new InFlight();
    const work = deferred();
    inFlight.track(work.promise);
    const drained = inFlight.drain(5_000);
    expect(inFlight.closing).toBe(true);
    let done = false;
    void drained.then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    work.resolve();
    expect(await drained).toBe(true);
    expect(inFlight.size).toBe(0);
  });

  it("gives up after the timeout and says that something was still under way", async () => {
    const inFlight = new InFlight();
    inFlight.track(new Promise(() => {}));
    const started = Date.now();
    expect(await inFlight.drain(50)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(inFlight.size).toBe(1);
  });

  it("drains at once when nothing is under way", async () => {
    expect(await new InFlight().drain(60_000)).toBe(true);
  });
});
