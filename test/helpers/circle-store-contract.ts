/**
 * The CircleStore contract (src/circles/store.ts), run against every implementation: the memory store in unit
 * tests, Redis in integration, with a "backend away" group where there is a backend, and the forgeries of
 * circle-forgery-contract.ts where someone else can write to it.
 */
import { describe, expect, it } from "vitest";
import { type Circle, type CircleWithMembers, newCircleId } from "../../src/circles/circle.js";
import type { CircleStore } from "../../src/circles/store.js";
import { StoreUnavailableError } from "../../src/invites/store.js";
import { type BackendAway, rejection, timed } from "./backend-away.js";
import { type CircleForgery, circleForgeryContract } from "./circle-forgery-contract.js";
import { circleNames, newCircle, withMembers } from "./contract-circles.js";

export interface CircleStoreSubject {
  store: CircleStore;
  /** The same circles as another bot instance sees them, where there can be one. */
  sibling?: CircleStore;
  /** Writes what someone with write access to the backend could; only where someone can (Redis). */
  forge?: CircleForgery;
}

export interface ContractOptions {
  /** The ways the backend can be away; none for an in-process implementation. */
  readonly away?: readonly BackendAway[];
  /** Every bot instance on the backend shares the circles (the subject then has a `sibling`). */
  readonly shared?: boolean;
  /** Someone else can write to the backend (the subject then has `forge`). */
  readonly forgeable?: boolean;
}

export function circleStoreContract(
  name: string,
  subject: () => CircleStoreSubject,
  { away = [], shared = false, forgeable = false }: ContractOptions = {},
): void {
  describe(`${name} follows the CircleStore contract`, () => {
    const created = async (circle = newCircle()) => {
      await subject().store.create(circle);
      return circle;
    };

    it("creates a circle without members, and finds it as created", async () => {
      const circle = await created();
      expect(await subject().store.find(circle.id)).toEqual(withMembers(circle));
    });

    it("finds no circle under an id never used, nor under something that is no id", async () => {
      const circle = await created();
      expect(await subject().store.find(newCircleId())).toBeUndefined();
      expect(await subject().store.find(`${circle.id}:members`)).toBeUndefined();
    });

    it("never creates over a circle: an id taken already throws, and that circle stays as it was", async () => {
      const circle = await created();
      await subject().store.addMember(circle.id, "alice@example.org");
      const { outcome } = await timed(() => subject().store.create({ ...circle, name: "Another" }));
      expect(rejection(outcome)).not.toBeInstanceOf(StoreUnavailableError);
      expect(await subject().store.find(circle.id)).toEqual(withMembers(circle, ["alice@example.org"]));
    });

    it("keeps a circle's own fields only: members handed to create or replace are nobody", async () => {
      const { store } = subject();
      const circle = newCircle();
      await store.create(withMembers(circle, ["mallory@example.org"]));
      expect(await store.find(circle.id)).toEqual(withMembers(circle));
      await store.replace(withMembers(circle, ["mallory@example.org"]));
      expect(await store.find(circle.id)).toEqual(withMembers(circle));
    });

    it("replaces what a circle is and keeps its members; false for a circle that is not there", async () => {
      const { store } = subject();
      const circle = await created();
      await store.addMember(circle.id, "alice@example.org");
      const renamed = {
        ...circle,
        name: `${circle.name} renamed`,
        rooms: ["a@rooms.example.org", "b@rooms.example.org"],
      };
      expect(await store.replace(renamed)).toBe(true);
      expect(await store.find(circle.id)).toEqual(withMembers(renamed, ["alice@example.org"]));
      const never = newCircle();
      expect(await store.replace(never)).toBe(false);
      expect(await store.find(never.id)).toBeUndefined();
    });

    it("removes a circle with its members and its place in the list; false the second time", async () => {
      const { store } = subject();
      const circle = await created();
      await store.addMember(circle.id, "alice@example.org");
      expect(await store.remove(circle.id)).toBe(true);
      expect(await store.find(circle.id)).toBeUndefined();
      expect((await store.list()).map(({ id }) => id)).not.toContain(circle.id);
      expect(await store.remove(circle.id)).toBe(false);
      expect(await store.replace(circle)).toBe(false);
      expect(await store.addMember(circle.id, "bob@example.org")).toBe("no-circle");
    });

    it("leaves no membership behind a removed circle: the same id made again has no members", async () => {
      const { store } = subject();
      const circle = await created();
      await store.addMember(circle.id, "alice@example.org");
      await store.addMember(circle.id, "bob@example.org");
      await store.remove(circle.id);
      await store.create(circle);
      expect(await store.find(circle.id)).toEqual(withMembers(circle));
    });

    it("adds each member once and lists them sorted; adds nobody to a circle that is not there", async () => {
      const { store } = subject();
      const circle = await created();
      expect(await store.addMember(circle.id, "bob@example.org")).toBe("added");
      expect(await store.addMember(circle.id, "alice@example.org")).toBe("added");
      expect(await store.addMember(circle.id, "bob@example.org")).toBe("already");
      expect((await store.find(circle.id))?.members).toEqual(["alice@example.org", "bob@example.org"]);
      const never = newCircleId();
      expect(await store.addMember(never, "alice@example.org")).toBe("no-circle");
      expect(await store.find(never)).toBeUndefined();
    });

    it("removes a member; false for someone who was not one, or a circle that is not there", async () => {
      const { store } = subject();
      const circle = await created();
      await store.addMember(circle.id, "alice@example.org");
      await store.addMember(circle.id, "bob@example.org");
      expect(await store.removeMember(circle.id, "alice@example.org")).toBe(true);
      expect(await store.removeMember(circle.id, "alice@example.org")).toBe(false);
      expect(await store.removeMember(newCircleId(), "bob@example.org")).toBe(false);
      expect((await store.find(circle.id))?.members).toEqual(["bob@example.org"]);
      expect(await store.addMember(circle.id, "alice@example.org")).toBe("added");
    });

    it("lists every circle with its members, by name without case, then by id", async () => {
      const { store } = subject();
      // "Alpha" and "alpha" are one name to people: by id, then.
      const mine = circleNames(["Alpha", "alpha", "beta", "Gamma"]).map((name) => newCircle(name));
      const [, , beta, gamma] = mine;
      for (const circle of mine) await store.create(circle);
      await store.addMember(mine[3]?.id ?? "", "carol@example.org");
      const alphas = mine.slice(0, 2).sort((a, b) => (a.id < b.id ? -1 : 1));
      const ids = new Set(mine.map(({ id }) => id));
      expect((await store.list()).filter(({ id }) => ids.has(id))).toEqual([
        ...alphas.map((circle) => withMembers(circle)),
        withMembers(beta as Circle),
        withMembers(gamma as Circle, ["carol@example.org"]),
      ]);
    });

    it("hands out copies: changing what it returned changes nothing kept", async () => {
      const circle = await created();
      const found = (await subject().store.find(circle.id)) as CircleWithMembers;
      (found.members as string[]).push("mallory@example.org");
      (found.rooms as string[]).push("evil@rooms.example.org");
      expect(await subject().store.find(circle.id)).toEqual(withMembers(circle));
    });

    if (shared) {
      it("shares the circles with every instance on the same backend", async () => {
        const { store, sibling } = subject();
        if (sibling === undefined) throw new Error("a shared store's subject needs a sibling");
        const circle = await created();
        expect(await sibling.addMember(circle.id, "alice@example.org")).toBe("added");
        expect(await store.find(circle.id)).toEqual(withMembers(circle, ["alice@example.org"]));
      });
    }

    if (forgeable) circleForgeryContract(subject);

    for (const backend of away) {
      describe(`backend away: ${backend.name}`, () => {
        it("refuses every call with StoreUnavailableError in time; what was kept is there once it is back", async () => {
          const { store } = subject();
          const kept = await created();
          await store.addMember(kept.id, "alice@example.org");
          const doomed = await created();
          await backend.enter();
          try {
            // Writes that change nothing of `kept`: a hung backend may still run them when it answers.
            for (const call of [
              (): Promise<unknown> => store.create(newCircle()),
              () => store.replace(kept),
              () => store.remove(doomed.id),
              () => store.find(kept.id),
              () => store.list(),
              () => store.addMember(kept.id, "alice@example.org"),
              () => store.removeMember(kept.id, "nobody@example.org"),
            ]) {
              const { ms, outcome } = await timed(call);
              expect(rejection(outcome)).toBeInstanceOf(StoreUnavailableError);
              expect(ms).toBeLessThanOrEqual(backend.failsWithinMs);
            }
          } finally {
            await backend.leave();
          }
          expect(await store.find(kept.id)).toEqual(withMembers(kept, ["alice@example.org"]));
        });
      });
    }
  });
}
