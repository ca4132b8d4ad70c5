import { describe, expect, it } from "vitest";
import { Events, heldEvents, silentSink } from "../../src/events.js";

interface Map {
  opened: { readonly door: string };
  closed: { readonly door: string; readonly slammed: boolean };
}

describe("Events", () => {
  it("hands each event to the listeners of its name and to every onEach listener, in order", () => {
    const events = new Events<Map>();
    const opened: string[] = [];
    const all: string[] = [];
    events.on("opened", ({ door }) => opened.push(door));
    events.onEach(({ name, detail }) => all.push(`${name}:${detail.door}`));
    events.emit("opened", { door: "front" });
    events.emit("closed", { door: "front", slammed: true });
    events.emit("opened", { door: "back" });
    expect(opened).toEqual(["front", "back"]);
    expect(all).toEqual(["opened:front", "closed:front", "opened:back"]);
  });

  it("stops a listener with the function on() returned", () => {
    const events = new Events<Map>();
    const seen: string[] = [];
    const stop = events.on("opened", ({ door }) => seen.push(door));
    events.emit("opened", { door: "front" });
    stop();
    events.emit("opened", { door: "back" });
    expect(seen).toEqual(["front"]);
  });

  it("reports a listener that throws, and the others and the emitter go on", () => {
    const failures: unknown[] = [];
    const events = new Events<Map>((error) => failures.push(error));
    const seen: string[] = [];
    events.on("opened", () => {
      throw new Error("listener broke");
    });
    events.on("opened", ({ door }) => seen.push(door));
    expect(() => events.emit("opened", { door: "front" })).not.toThrow();
    expect(seen).toEqual(["front"]);
    expect(failures).toEqual([new Error("listener broke")]);
  });

  it("lets a listener stop itself while the event is being handed out", () => {
    const events = new Events<Map>();
    const seen: string[] = [];
    const stop = events.on("opened", () => {
      seen.push("once");
      stop();
    });
    events.on("opened", () => seen.push("always"));
    events.emit("opened", { door: "a" });
    events.emit("opened", { door: "b" });
    expect(seen).toEqual(["once", "always", "always"]);
  });

  it("has a silent sink for parts built without one", () => {
    expect(() => silentSink<Map>().emit("opened", { door: "front" })).not.toThrow();
  });
});

describe("heldEvents", () => {
  it("holds what happens until released, then passes it on first and each later event as it comes", () => {
    const source = new Events<Map>();
    const held = heldEvents(source);
    source.emit("opened", { door: "front" });
    source.emit("closed", { door: "front", slammed: false });
    const seen: string[] = [];
    held.onEach(({ name, detail }) => seen.push(`${name}:${detail.door}`));
    expect(seen).toEqual([]);
    held.release();
    source.emit("opened", { door: "back" });
    expect(seen).toEqual(["opened:front", "closed:front", "opened:back"]);
  });

  it("holds at most its limit, and nothing once forgotten", () => {
    const source = new Events<Map>();
    const held = heldEvents(source, 2);
    for (const door of ["a", "b", "c"]) source.emit("opened", { door });
    const seen: string[] = [];
    held.on("opened", ({ door }) => seen.push(door));
    held.release();
    expect(seen).toEqual(["a", "b"]);
    held.forget();
    source.emit("opened", { door: "d" });
    expect(seen).toEqual(["a", "b"]);
  });
});
