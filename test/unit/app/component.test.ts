import { describe, expect, it } from "vitest";
import { stopOnce } from "../../../src/app/component.js";

describe("stopOnce", () => {
  it("stops the parts in order, once, however often and however soon it is asked again", async () => {
    const stopped: string[] = [];
    const part = (name: string) => ({
      stop: async () => {
        await Promise.resolve();
        stopped.push(name);
      },
    });
    const stop = stopOnce([part("web"), {}, part("xmpp"), part("ops")]);
    const first = stop();
    const second = stop();
    expect(second).toBe(first);
    await Promise.all([first, second, stop()]);
    expect(stopped).toEqual(["web", "xmpp", "ops"]);
  });
});
