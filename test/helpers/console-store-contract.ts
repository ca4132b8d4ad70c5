/**
 * The ConsoleStore contract (src/invites/console-store.ts: the web console's login links and sessions), run against
 * every implementation: memory in unit tests, Redis in integration (with a sibling for a second bot instance, a
 * forger for someone with write access to Redis, and Redis away).
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ConsoleSession, ConsoleStore } from "../../src/invites/console-store.js";
import { StoreUnavailableError } from "../../src/invites/store.js";
import { tokenHash } from "../../src/invites/token.js";
import { type BackendAway, rejection, timed } from "./backend-away.js";

export interface ConsoleStoreSubject {
  store: ConsoleStore;
  /** The same store as another bot instance sees it, where there can be one. */
  sibling?: ConsoleStore;
  /** Lets time pass for the store (a fake clock or a real wait). */
  advanceMs(ms: number): Promise<void>;
  /** Someone with write access to Redis but without the signing key: reads and writes raw values. */
  forge?: {
    write(kind: "login" | "session", hash: string, value: string): Promise<void>;
    read(kind: "login" | "session", hash: string): Promise<string | undefined>;
  };
}

export interface ConsoleContractOptions {
  readonly away?: readonly BackendAway[];
  readonly shared?: boolean;
  readonly forgeable?: boolean;
}

let n = 0;
const newHash = () => tokenHash(`${process.pid}:${randomBytes(9).toString("base64url")}:${++n}`);
const newJid = () => `user${process.pid}x${++n}@example.org`;
const sessionOf = (jid: string): ConsoleSession => ({ jid, created: 1_700_000_000, expires: 1_700_043_200 });

export function consoleStoreContract(
  name: string,
  subject: () => ConsoleStoreSubject,
  { away = [], shared = false, forgeable = false }: ConsoleContractOptions = {},
): void {
  describe(`${name} follows the ConsoleStore contract`, () => {
    it("gives a login link's JID once: found as often as asked, consumed once", async () => {
      const { store } = subject();
      const [hash, jid] = [newHash(), newJid()];
      expect(await store.findLogin(hash)).toBeUndefined();
      await store.saveLogin(hash, jid, 60_000);
      expect(await store.findLogin(hash)).toBe(jid);
      expect(await store.findLogin(hash)).toBe(jid);
      const racers = await Promise.all(Array.from({ length: 10 }, () => store.consumeLogin(hash)));
      expect(racers.filter((got) => got === jid)).toHaveLength(1);
      expect(await store.consumeLogin(hash)).toBeUndefined();
      expect(await store.findLogin(hash)).toBeUndefined();
    });

    it("forgets a login link and a session when their time is over", async () => {
      const { store, advanceMs } = subject();
      const [login, session, jid] = [newHash(), newHash(), newJid()];
      await store.saveLogin(login, jid, 300);
      await store.saveSession(session, sessionOf(jid), 300);
      await advanceMs(400);
      expect(await store.consumeLogin(login)).toBeUndefined();
      expect(await store.findSession(session)).toBeUndefined();
    });

    it("keeps a session until it is ended, renews only one that exists, and ends one or all of a JID's", async () => {
      const { store } = subject();
      const [one, two, other, jid, someoneElse] = [newHash(), newHash(), newHash(), newJid(), newJid()];
      await store.saveSession(one, sessionOf(jid), 60_000);
      await store.saveSession(two, sessionOf(jid), 60_000);
      await store.saveSession(other, sessionOf(someoneElse), 60_000);
      expect(await store.findSession(one)).toEqual(sessionOf(jid));
      const renewed = { ...sessionOf(jid), expires: 1_700_050_000 };
      await store.renewSession(one, renewed, 60_000);
      expect(await store.findSession(one)).toEqual(renewed);
      await store.endSession(one, jid);
      expect(await store.findSession(one)).toBeUndefined();
      // A request that read it before the logout does not bring it back.
      await store.renewSession(one, renewed, 60_000);
      expect(await store.findSession(one)).toBeUndefined();
      expect(await store.endSessionsOf(jid)).toBe(1);
      expect(await store.findSession(two)).toBeUndefined();
      expect(await store.endSessionsOf(jid)).toBe(0);
      expect(await store.findSession(other)).toEqual(sessionOf(someoneElse));
    });

    if (shared) {
      it("is shared by every bot instance", async () => {
        const { store, sibling } = subject();
        const [login, session, jid] = [newHash(), newHash(), newJid()];
        await store.saveLogin(login, jid, 60_000);
        await store.saveSession(session, sessionOf(jid), 60_000);
        expect(await sibling?.consumeLogin(login)).toBe(jid);
        expect(await store.consumeLogin(login)).toBeUndefined();
        expect(await sibling?.findSession(session)).toEqual(sessionOf(jid));
        expect(await sibling?.endSessionsOf(jid)).toBe(1);
        expect(await store.findSession(session)).toBeUndefined();
      });
    }

    if (forgeable) {
      it("gives nothing for a value written without the signing key", async () => {
        const { store, forge } = subject();
        const [login, session, jid] = [newHash(), newHash(), newJid()];
        await forge?.write("login", login, JSON.stringify({ value: jid, tag: "A".repeat(43) }));
        await forge?.write("session", session, JSON.stringify({ value: JSON.stringify(sessionOf(jid)), tag: "x" }));
        expect(await store.findLogin(login)).toBeUndefined();
        expect(await store.consumeLogin(login)).toBeUndefined();
        expect(await store.findSession(session)).toBeUndefined();
        // A signed value moved to another hash does not verify either.
        const [real, moved] = [newHash(), newHash()];
        await store.saveLogin(real, jid, 60_000);
        await forge?.write("login", moved, (await forge?.read("login", real)) ?? "");
        expect(await store.findLogin(real)).toBe(jid);
        expect(await store.findLogin(moved)).toBeUndefined();
        await forge?.write("login", moved, "not json");
        expect(await store.consumeLogin(moved)).toBeUndefined();
      });
    }

    for (const backend of away) {
      describe(`with ${backend.name}`, () => {
        it("fails with StoreUnavailableError within its time, and works again once back", async () => {
          const { store } = subject();
          const [hash, jid] = [newHash(), newJid()];
          await backend.enter();
          try {
            const { ms, outcome } = await timed(() => store.consumeLogin(hash));
            expect(rejection(outcome)).toBeInstanceOf(StoreUnavailableError);
            expect(ms).toBeLessThan(backend.failsWithinMs);
          } finally {
            await backend.leave();
          }
          await store.saveLogin(hash, jid, 60_000);
          expect(await store.consumeLogin(hash)).toBe(jid);
        });
      });
    }
  });
}
