import { describe, expect, it, vi } from "vitest";
import { Events } from "../../../src/events.js";
import type { EventStream, StreamEntry } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import {
  type ConsumerOptions,
  type NotificationEvents,
  UseEventConsumer,
} from "../../../src/notifications/consumer.js";
import { adminNotice, parseUseEvent, recipients } from "../../../src/notifications/use-events.js";

const HOST = "example.org";

/**
 * A stream in memory: entries are pending until finished, like a consumer group; `idle` holds entries another
 * instance read and left pending, which `claim` hands over, as XAUTOCLAIM does once they are idle long enough.
 */
function fakeStream(entries: StreamEntry[], idle: StreamEntry[] = []) {
  const unread = [...entries];
  const pending: typeof entries = [];
  const done = new Set<string>();
  const claims: number[] = [];
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
      // As XACK: an id that is not pending changes nothing.
      const at = pending.findIndex((e) => e.id === id);
      if (at === -1) return;
      done.add(id);
      pending.splice(at, 1);
    },
    claim: async (minIdleMs) => {
      claims.push(minIdleMs);
      const taken = idle.splice(0);
      pending.push(...taken);
      return taken;
    },
    close: async () => {},
  };
  return { stream, pending, done, claims, add: (e: (typeof entries)[number]) => unread.push(e) };
}

const event = (id: string, invitee: string, signed = true): StreamEntry => ({
  id,
  fields: { kind: "registered", inviter: "alice@example.org", invitee, invite: "AbCd1234", at: "1" },
  signed,
});

/** A consumer of `stream` that records what it sends (`to: text`) and what it logs. */
function consumerOf(stream: EventStream, more: Partial<ConsumerOptions> = {}) {
  const sent: string[] = [];
  const logs: string[] = [];
  const consumer = new UseEventConsumer({
    stream,
    send: async (to, text) => {
      sent.push(`${to}: ${text}`);
    },
    isOnline: () => true,
    admins: new Set(),
    notifyAdmins: false,
    host: "example.org",
    log: createLogger("debug", { write: (line: string) => logs.push(line) }),
    retryMs: 5,
    ...more,
  });
  return { consumer, sent, logs };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe("UseEventConsumer", () => {
  it("tells the inviter and acknowledges after sending", async () => {
    const { stream, done } = fakeStream([event("1-0", "bob@example.org")]);
    const { consumer, sent } = consumerOf(stream);
    consumer.start();
    await until(() => done.has("1-0"));
    await consumer.stop();
    expect(sent).toEqual(["alice@example.org: bob@example.org accepted your invite and created an account."]);
  });

  it("takes over what another instance left pending, tells it once, with the idle limit it was given", async () => {
    const { stream, done, claims } = fakeStream([event("2-0", "carol@example.org")], [event("1-0", "bob@example.org")]);
    const { consumer, sent, logs } = consumerOf(stream, { claimIdleMs: 1_234, blockMs: 5 });
    consumer.start();
    await until(() => done.has("1-0") && done.has("2-0"));
    await consumer.stop();
    expect(sent.filter((line) => line.includes("bob@example.org"))).toHaveLength(1);
    expect(sent.filter((line) => line.includes("carol@example.org"))).toHaveLength(1);
    expect(new Set(claims)).toEqual(new Set([1_234]));
    expect(logs.join("")).toContain("Taking over invite uses another instance left unacknowledged");
  });

  it("stops although Redis does not answer the request under way (a hanging Redis cannot hold up a SIGTERM)", async () => {
    vi.useFakeTimers();
    try {
      let asked: () => void = () => {};
      const reading = new Promise<void>((resolve) => {
        asked = resolve;
      });
      const { stream } = fakeStream([]);
      const hanging: EventStream = {
        ...stream,
        read: () => {
          asked();
          return new Promise(() => {}); // Redis holds the answer for ever
        },
      };
      const { consumer, logs } = consumerOf(hanging);
      consumer.start();
      await reading;
      const stopped = consumer.stop();
      await vi.advanceTimersByTimeAsync(2_000);
      await stopped;
      expect(logs.join("")).toContain("Stopping without waiting for Redis");
    } finally {
      vi.useRealTimers();
    }
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
      host: "example.org",
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

  it("logs each use for the summary before telling anyone, and keeps the entry pending while that fails", async () => {
    const { stream, done, pending } = fakeStream([event("1-0", "bob@example.org")]);
    const noted: unknown[] = [];
    let storeUp = false;
    let tries = 0;
    const noteUse: ConsumerOptions["noteUse"] = async (use) => {
      tries += 1;
      if (!storeUp) throw new Error("Redis is away");
      noted.push(use);
    };
    const { consumer, sent } = consumerOf(stream, { noteUse });
    consumer.start();
    await until(() => tries >= 2);
    expect(sent).toEqual([]);
    expect(pending.map((entry) => entry.id)).toEqual(["1-0"]);
    storeUp = true;
    await until(() => done.has("1-0"));
    await consumer.stop();
    expect(noted).toEqual([{ entryId: "1-0", invite: "AbCd1234", at: 1 }]);
    expect(sent).toHaveLength(1);
  });
});

describe("use notices for a newcomer who joined circles", () => {
  it("names the circles to the inviter and to admins, for registrations only", async () => {
    const { stream, done } = fakeStream([event("1-0", "zoe@example.org")]);
    const { consumer, sent } = consumerOf(stream, {
      admins: new Set(["admin@example.org"]),
      notifyAdmins: true,
      joinedCircles: async (jid) =>
        jid === "zoe@example.org"
          ? ["Family", "Chess club"].map((name, at) => ({
              id: `Circle${at}xxxxx`,
              name,
              rooms: [],
              createdAt: 1,
              createdBy: "a@example.org",
            }))
          : [],
    });
    consumer.start();
    await until(() => done.has("1-0"));
    await consumer.stop();
    expect(sent.sort()).toEqual([
      "admin@example.org: zoe@example.org created an account with an invite from alice@example.org (AbCd1234) and joined Family and Chess club.",
      "alice@example.org: zoe@example.org joined Family and Chess club through your invite.",
    ]);
  });
});

describe("UseEventConsumer events", () => {
  it("emits use-handled once an entry is acknowledged, and use-event-ignored for one it does not trust", async () => {
    const { stream, done } = fakeStream([event("1-0", "forged@example.org", false), event("2-0", "bob@example.org")]);
    const events = new Events<NotificationEvents>();
    const seen: string[] = [];
    const handled = new Promise<NotificationEvents["use-handled"]>((resolve) => events.on("use-handled", resolve));
    events.onEach(({ name }) => seen.push(`${name} (acknowledged: ${[...done].join(",")})`));
    const { consumer } = consumerOf(stream, { events });
    consumer.start();
    const { event: used, told } = await handled;
    await consumer.stop();
    expect(used).toMatchObject({ kind: "registered", inviter: "alice@example.org", invitee: "bob@example.org" });
    expect(told).toEqual(["alice@example.org"]);
    expect(seen).toEqual(["use-event-ignored (acknowledged: 1-0)", "use-handled (acknowledged: 1-0,2-0)"]);
  });
});

describe("UseEventConsumer with entries it must not simply trust", () => {
  it("acknowledges entries whose signature does not verify without a message, and logs them once", async () => {
    const entries = Array.from({ length: 30 }, (_, i) => event(`${i + 1}-0`, `forged${i}@example.org`, false));
    const { stream, done } = fakeStream([...entries, event("31-0", "real@example.org")]);
    const { consumer, sent, logs } = consumerOf(stream);
    consumer.start();
    await until(() => done.has("31-0"));
    await consumer.stop();
    expect(done.size).toBe(31);
    expect(sent).toEqual(["alice@example.org: real@example.org accepted your invite and created an account."]);
    const warnings = logs.filter((line) => line.includes("signature does not verify"));
    // The first at once; the 29 others in one line when the window closes (here: on stop).
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("id=1-0");
    expect(warnings[1]).toContain(": 29 more in the last minute");
  });

  it("tells one recipient at most N uses a window, then sums up the rest in one message", async () => {
    const entries = Array.from({ length: 200 }, (_, i) => event(`${i + 1}-0`, `new${i}@example.org`));
    const { stream, done } = fakeStream(entries);
    const sent: string[] = [];
    let summed: () => void = () => undefined;
    const summary = new Promise<void>((resolve) => {
      summed = resolve;
    });
    const { consumer } = consumerOf(stream, {
      noticeCap: { perWindow: 10, windowMs: 200 },
      send: async (to, text) => {
        sent.push(`${to}: ${text}`);
        if (text.startsWith("…and")) summed();
      },
    });
    consumer.start();
    await summary;
    expect(done.size).toBe(200);
    await consumer.stop();
    expect(sent).toHaveLength(11);
    expect(sent.slice(0, 10).every((line) => line.includes("accepted your invite"))).toBe(true);
    expect(sent[10]).toBe(
      "alice@example.org: …and 190 more invites were used just now (too many at once to tell each one).",
    );
  });
});

describe("use events", () => {
  it("ignores entries that are not use events", () => {
    expect(parseUseEvent("1-0", { kind: "other", invitee: "x@y" }, HOST)).toBeUndefined();
    expect(parseUseEvent("1-0", { kind: "registered" }, HOST)).toBeUndefined();
  });

  it("tells admins once each, and the inviter in their own words", () => {
    const parsed = parseUseEvent("1-0", event("1-0", "bob@example.org").fields, HOST);
    if (parsed === undefined) throw new Error("not parsed");
    const admins = new Set(["admin@example.org", "alice@example.org"]);
    const to = recipients(parsed, { admins, notifyAdmins: true, host: "example.org" });
    expect([...to]).toEqual([
      ["admin@example.org", "bob@example.org created an account with an invite from alice@example.org (AbCd1234)."],
      ["alice@example.org", "bob@example.org accepted your invite and created an account."],
    ]);
    expect(
      recipients(parsed, { admins: new Set(["admin@example.org"]), notifyAdmins: false, host: "example.org" }).size,
    ).toBe(1);
  });

  it("refuses entries whose fields are not what the Prosody module writes", () => {
    const good = {
      kind: "registered",
      inviter: "alice@example.org",
      invitee: "bob@example.org",
      invite: "AbCd1234",
      at: "1",
    };
    expect(parseUseEvent("1-0", good, HOST)).toBeDefined();
    for (const bad of [
      { invitee: "not a jid" },
      { invitee: "bob@example.org/resource" },
      { inviter: "<script>@example.org" },
      { inviter: "alice@example.org\nYou won a prize: https://evil.example" },
      { invite: "TOKEN-LIKE-AND-TOO-LONG-000000" },
      { invite: "Ab<d1234" },
      { at: "soon" },
      // Right-to-left override, zero width space, other format characters and controls.
      { invitee: "moc.elpmaxe\u202e@example.org" },
      { inviter: "ali\u200bce@example.org" },
      { invitee: "bob\u2066@example.org" },
      { invitee: "bob\u0007@example.org" },
      { inviter: "alice\u2028@example.org" },
      { invitee: "bob\ue000@example.org" },
    ]) {
      expect(parseUseEvent("1-0", { ...good, ...bad }, HOST), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it("tells only an inviter who could have made an invite here: a local user or an admin", () => {
    const from = (inviter: string) =>
      recipients(parseUseEvent("1-0", { kind: "registered", inviter, invitee: "bob@example.org" }, HOST) ?? fail(), {
        admins: new Set(["boss@other.example"]),
        notifyAdmins: false,
        host: "example.org",
      });
    expect([...from("alice@example.org").keys()]).toEqual(["alice@example.org"]);
    expect([...from("boss@other.example").keys()]).toEqual(["boss@other.example"]);
    expect([...from("victim@elsewhere.example").keys()]).toEqual([]);
  });

  it("names the server when nobody made the invite", () => {
    expect(
      adminNotice({
        id: "1",
        kind: "subscribed",
        inviter: undefined,
        invitee: "c@x",
        invite: undefined,
        at: 0,
        rooms: [],
      }),
    ).toBe("c@x became a contact through an invite made on the server.");
  });
});

function fail(): never {
  throw new Error("not parsed");
}

describe("use events with group chats outside circles (rooms) and existing accounts joining (kind joined)", () => {
  const fields = {
    kind: "joined",
    inviter: "alice@example.org",
    invitee: "zoe@example.org",
    invite: "AbCd1234",
    at: "1",
  };

  it("reads `rooms` (room JIDs joined by one space) normalised, each once; none when absent", () => {
    expect(parseUseEvent("1-0", fields, HOST)).toMatchObject({ kind: "joined", invitee: "zoe@example.org", rooms: [] });
    const rooms = "Lounge@Conference.Example.org chess@rooms.example.net lounge@conference.example.org";
    expect(parseUseEvent("1-0", { ...fields, rooms }, HOST)?.rooms).toEqual([
      "lounge@conference.example.org",
      "chess@rooms.example.net",
    ]);
    expect(parseUseEvent("1-0", { ...fields, rooms: "" }, HOST)?.rooms).toEqual([]);
  });

  it("refuses an entry whose rooms are not room JIDs of another service, too many, or hide characters", () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `room${i}@conference.example.org`).join(" ");
    for (const rooms of [
      "lounge@conference.example.org  chess@rooms.example.net",
      " lounge@conference.example.org",
      "lounge@conference.example.org ",
      "not-a-jid",
      "lounge@conference.example.org/nick",
      "zoe@example.org",
      "lounge@conference.example.org\nYou won a prize",
      "lou\u202enge@conference.example.org",
      eleven,
    ]) {
      expect(parseUseEvent("1-0", { ...fields, rooms }, HOST), JSON.stringify(rooms)).toBeUndefined();
    }
  });

  it("tells the inviter and admins that an existing account joined, with or without circles", () => {
    const joined = parseUseEvent("1-0", fields, HOST) ?? fail();
    const options = { admins: new Set(["admin@example.org"]), notifyAdmins: true, host: HOST };
    expect([...recipients(joined, { ...options, circles: "Family" })]).toEqual([
      ["admin@example.org", "zoe@example.org joined Family through an invite from alice@example.org (AbCd1234)."],
      ["alice@example.org", "zoe@example.org joined Family through your invite."],
    ]);
    expect([...recipients(joined, options)]).toEqual([
      [
        "admin@example.org",
        "zoe@example.org, who already had an account, accepted an invite from alice@example.org (AbCd1234).",
      ],
      ["alice@example.org", "zoe@example.org accepted your invite with the account they already had."],
    ]);
  });

  it("welcomes a newcomer (registered or joined) to their circles' chats and the event's rooms before the ack", async () => {
    const rooms = "lounge@conference.example.org";
    const { stream, done } = fakeStream([
      { id: "1-0", fields: { ...fields, rooms }, signed: true },
      { id: "2-0", fields: { ...fields, kind: "registered", invitee: "bob@example.org", rooms }, signed: true },
      { id: "3-0", fields: { ...fields, kind: "subscribed", invitee: "sam@example.org", rooms }, signed: true },
    ]);
    const welcomed: string[] = [];
    const family = { id: "Familyxxxxxx", name: "Family", rooms: ["hall@conference.example.org"], createdAt: 1 };
    const { consumer, sent } = consumerOf(stream, {
      joinedCircles: async (jid) => (jid === "zoe@example.org" ? [{ ...family, createdBy: "a@example.org" }] : []),
      welcome: async (jid, circles, its) => {
        welcomed.push(`${jid}: ${circles.map((circle) => circle.name).join(",")} + ${its.join(",")}`);
        welcomed.push(`acknowledged then: ${[...done].join(",")}`);
      },
    });
    consumer.start();
    await until(() => done.has("3-0"));
    await consumer.stop();
    expect(welcomed).toEqual([
      "zoe@example.org: Family + lounge@conference.example.org",
      "acknowledged then: ",
      "bob@example.org:  + lounge@conference.example.org",
      "acknowledged then: 1-0",
    ]);
    expect(sent).toEqual([
      "alice@example.org: zoe@example.org joined Family through your invite.",
      "alice@example.org: bob@example.org accepted your invite and created an account.",
      "alice@example.org: sam@example.org accepted your invite and is now your contact.",
    ]);
  });
});
