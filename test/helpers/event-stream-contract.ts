/**
 * The EventStream contract (src/invites/store.ts: the use events read by src/notifications/consumer.ts through one
 * group shared by every bot instance), run against every implementation — Redis today — with a "backend away" group.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type EventStream, StoreUnavailableError, type UseEvent } from "../../src/invites/store.js";
import { type BackendAway, rejection, timed } from "./backend-away.js";

export interface EventStreamSubject {
  /** The stream as bot instance `consumer` reads it. */
  open(consumer: string): EventStream;
  /** Records a use as the bot does (InviteClaims.recordUse): signed. */
  record(event: UseEvent & { readonly invite: string }): Promise<void>;
  /** Writes an entry with these fields and a tag that is not ours, as a forger with write access would. */
  forge(fields: Record<string, string>): Promise<void>;
  /** Empties the stream and forgets the group. */
  clear(): Promise<void>;
}

let uses = 0;
function use(rooms: readonly string[] = []): UseEvent & { readonly invite: string } {
  uses += 1;
  return {
    kind: "registered",
    inviter: "alice@example.org",
    invitee: `new${uses}@example.org`,
    invite: "abcdEFGH",
    at: 1_790_000_000 + uses,
    rooms,
  };
}

export function eventStreamContract(
  name: string,
  subject: () => EventStreamSubject,
  { away = [] }: { readonly away?: readonly BackendAway[] } = {},
): void {
  describe(`${name} follows the EventStream contract`, () => {
    const opened: EventStream[] = [];
    const open = (consumer: string) => {
      const stream = subject().open(consumer);
      opened.push(stream);
      return stream;
    };
    beforeEach(async () => subject().clear());
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((stream) => stream.close()));
    });

    it("reads from the start of the stream: uses recorded before the group existed, in order, signed", async () => {
      const [first, second] = [use(), use(["lounge@conference.example.org", "chess@rooms.example.net"])];
      await subject().record(first);
      await subject().record(second);
      const stream = open("one");
      await stream.ensureGroup();
      const entries = await stream.read("new", 100);
      expect(entries.map(({ fields, signed }) => ({ fields, signed }))).toEqual(
        [first, second].map((event) => ({
          // The group chats outside circles as one field, room JIDs joined by one space; none when there are none.
          fields: {
            ...event,
            at: String(event.at),
            rooms: event.rooms.length === 0 ? undefined : event.rooms.join(" "),
            tag: expect.stringMatching(/^[\w-]{43}$/u),
          },
          signed: true,
        })),
      );
      expect(new Set(entries.map((entry) => entry.id)).size).toBe(2);
    });

    it("keeps the group's place when asked to make it again: nothing new is nothing", async () => {
      await subject().record(use());
      const stream = open("one");
      await stream.ensureGroup();
      expect(await stream.read("new", 100)).toHaveLength(1);
      await stream.ensureGroup();
      const { ms, outcome } = await timed(() => stream.read("new", 300));
      expect(outcome).toEqual({ status: "fulfilled", value: [] });
      expect(ms).toBeGreaterThanOrEqual(250);
    });

    it("reads an entry again as pending until it is acknowledged, also after a restart of the same consumer", async () => {
      await subject().record(use());
      const stream = open("one");
      await stream.ensureGroup();
      const [entry] = await stream.read("new", 100);
      expect((await stream.read("pending", 0)).map((pending) => pending.id)).toEqual([entry?.id]);
      const restarted = open("one");
      await restarted.ensureGroup();
      expect((await restarted.read("pending", 0)).map((pending) => pending.id)).toEqual([entry?.id]);
      await restarted.ack(entry?.id ?? "");
      expect(await stream.read("pending", 0)).toEqual([]);
      expect(await stream.read("new", 50)).toEqual([]);
    });

    it("gives each entry to one instance of the group only", async () => {
      const [one, other] = [open("one"), open("other")];
      await one.ensureGroup();
      await other.ensureGroup();
      await subject().record(use());
      expect(await one.read("new", 100)).toHaveLength(1);
      expect(await other.read("new", 100)).toEqual([]);
      expect(await other.read("pending", 0)).toEqual([]);
    });

    it("answers a waiting read as soon as a use is recorded", async () => {
      const stream = open("one");
      await stream.ensureGroup();
      const event = use();
      setTimeout(() => void subject().record(event), 200);
      const { ms, outcome } = await timed(() => stream.read("new", 10_000));
      expect(outcome.status === "fulfilled" ? outcome.value.map((entry) => entry.fields.invitee) : outcome).toEqual([
        event.invitee,
      ]);
      expect(ms).toBeLessThan(5_000);
    });

    it("says which entries are not signed with our key", async () => {
      const event = use();
      const { kind, inviter = "", invitee, invite } = event;
      await subject().forge({ kind, inviter, invitee, invite, at: String(event.at), tag: "A".repeat(43) });
      await subject().record(event);
      const stream = open("one");
      await stream.ensureGroup();
      expect((await stream.read("new", 100)).map((entry) => entry.signed)).toEqual([false, true]);
    });

    for (const backend of away) {
      describe(`backend away: ${backend.name}`, () => {
        afterEach(async () => {
          await backend.leave();
        });

        // Like every port of the backend: StoreUnavailableError, within the backend's bound (a waiting read: its wait
        // on top), so that the consumer retries and a SIGTERM is not held up.
        it("rejects making the group, reading and acknowledging with StoreUnavailableError, in time", async () => {
          const stream = open("one");
          await stream.ensureGroup();
          await backend.enter();
          for (const call of [
            (): Promise<unknown> => stream.ensureGroup(),
            () => stream.read("pending", 0),
            () => stream.read("new", 50),
            () => stream.ack("1-0"),
          ]) {
            const { ms, outcome } = await timed(call);
            expect(rejection(outcome)).toBeInstanceOf(StoreUnavailableError);
            expect(ms).toBeLessThanOrEqual(backend.failsWithinMs + 50);
          }
        });

        it("loses no entry: one read and not acknowledged before is pending once the backend is back", async () => {
          await subject().record(use());
          const stream = open("one");
          await stream.ensureGroup();
          const [entry] = await stream.read("new", 100);
          await backend.enter();
          await backend.leave();
          await stream.ensureGroup();
          expect((await stream.read("pending", 0)).map((pending) => pending.id)).toEqual([entry?.id]);
        });
      });
    }
  });
}
