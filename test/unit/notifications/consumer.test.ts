import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { type EventStream, UseEventConsumer } from "../../../src/notifications/consumer.js";
import { adminNotice, parseUseEvent, recipients } from "../../../src/notifications/use-events.js";

/** A stream in memory: entries are pending until finished, like a consumer group. */
function fakeStream(entries: Array<{ id: string; fields: Record<string, string> }>) {
  const unread = [...entries];
  const pending: typeof entries = [];
  const done = new Set<string>();
  const stream: EventStream = {
    ensureGroup: async () => {},
    read: async (which) => {
      if (which === "pending") return [...pending];
      const taken = unread.splice(0);
      pending.push(...taken);
      if (taken.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      return taken;
    },
    ack: async (id) => {
      done.add(id);
      pending.splice(
        pending.findIndex((e) => e.id === id),
        1,
      );
    },
    close: async () => {},
  };
  return { stream, pending, done, add: (e: (typeof entries)[number]) => unread.push(e) };
}

const event = (id: string, invitee: string) => ({
  id,
  fields: { kind: "registered", inviter: "alice@example.org", invitee, invite: "AbCd1234", at: "1" },
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe("UseEventConsumer", () => {
  it("tells the inviter and acknowledges after sending", async () => {
    const { stream, done } = fakeStream([event("1-0", "bob@example.org")]);
    const sent: string[] = [];
    const consumer = new UseEventConsumer({
      stream,
      send: async (to, text) => {
        sent.push(`${to}: ${text}`);
      },
      isOnline: () => true,
      admins: new Set(),
      notifyAdmins: false,
      log: createLogger("silent"),
      retryMs: 5,
    });
    consumer.start();
    await until(() => done.has("1-0"));
    await consumer.stop();
    expect(sent).toEqual(["alice@example.org: bob@example.org accepted your invite and created an account."]);
  });

  it("keeps an entry pending while sending fails, and sends it once when it works again", async () => {
    const { stream, done } = fakeStream([event("1-0", "bob@example.org")]);
    let online = false;
    const sent: string[] = [];
    const consumer = new UseEventConsumer({
      stream,
      send: async (to) => {
        if (!online) throw new Error("offline");
        sent.push(to);
      },
      isOnline: () => true,
      admins: new Set(),
      notifyAdmins: false,
      log: createLogger("silent"),
      retryMs: 5,
    });
    consumer.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(done.size).toBe(0);
    online = true;
    await until(() => done.has("1-0"));
    await consumer.stop();
    expect(sent).toEqual(["alice@example.org"]);
  });
});

describe("use events", () => {
  it("ignores entries that are not use events", () => {
    expect(parseUseEvent("1-0", { kind: "other", invitee: "x@y" })).toBeUndefined();
    expect(parseUseEvent("1-0", { kind: "registered" })).toBeUndefined();
  });

  it("tells admins once each, and the inviter in their own words", () => {
    const parsed = parseUseEvent("1-0", event("1-0", "bob@example.org").fields);
    if (parsed === undefined) throw new Error("not parsed");
    const to = recipients(parsed, new Set(["admin@example.org", "alice@example.org"]), true);
    expect([...to]).toEqual([
      ["admin@example.org", "bob@example.org created an account with an invite from alice@example.org (AbCd1234)."],
      ["alice@example.org", "bob@example.org accepted your invite and created an account."],
    ]);
    expect(recipients(parsed, new Set(["admin@example.org"]), false).size).toBe(1);
  });

  it("names the server when nobody made the invite", () => {
    expect(
      adminNotice({ id: "1", kind: "subscribed", inviter: undefined, invitee: "c@x", invite: undefined, at: 0 }),
    ).toBe("c@x became a contact through an invite made on the server.");
  });
});
