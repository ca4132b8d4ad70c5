/**
 * What write access to a CircleStore's backend must not grant (docs/storage.md, "Circles"): part of the CircleStore
 * contract (circle-store-contract.ts) for a backend others can write to. A forger can remove and hide circles and
 * members; nothing written without the signing key is a circle or a membership, nor is a signed value moved to
 * another circle or host.
 */
import { describe, expect, it } from "vitest";
import { type Circle, newCircleId } from "../../src/circles/circle.js";
import type { CircleStore } from "../../src/circles/store.js";
import { newCircle, withMembers } from "./contract-circles.js";

/** Writes to the backend as someone with write access would (and, for rotation, what an old key signed). */
export interface CircleForgery {
  /** Writes `circle`'s record with a tag made with a key that is not ours, and puts its id in the index. */
  record(circle: Circle): Promise<void>;
  /** Writes circle `from`'s stored record, as it is, under circle `to`'s key, and puts `to` in the index. */
  copyRecord(from: string, to: string): Promise<void>;
  /** Writes `circle`'s record as we sign it for another host, and puts its id in the index. */
  otherHostRecord(circle: Circle): Promise<void>;
  /** Sets `jid`'s field in circle `id`'s members to a tag made with a key that is not ours. */
  member(id: string, jid: string): Promise<void>;
  /** Sets `jid`'s field in circle `to`'s members to the value it has in circle `from`'s. */
  copyMember(from: string, to: string, jid: string): Promise<void>;
  /** Sets `jid`'s field in circle `id`'s members to the tag we make for the same circle id of another host. */
  otherHostMember(id: string, jid: string): Promise<void>;
  /** Puts `id` in the index, with no record. */
  indexOnly(id: string): Promise<void>;
  /** Makes circle `id`'s record and members keys of another type. */
  wrongTypes(id: string): Promise<void>;
  /** Sets `jid`'s field with an old signing key's tag (still accepted): a membership from before a key rotation. */
  oldKeyMember(id: string, jid: string): Promise<void>;
}

export function circleForgeryContract(subject: () => { store: CircleStore; forge?: CircleForgery }): void {
  describe("what write access to the backend grants: nothing", () => {
    const parts = () => {
      const { store, forge } = subject();
      if (forge === undefined) throw new Error("a forgeable store's subject needs forge");
      return { store, forge };
    };
    const created = async () => {
      const circle = newCircle();
      await subject().store.create(circle);
      return circle;
    };
    const listedIds = async () => (await subject().store.list()).map(({ id }) => id);

    it("a record whose tag is not ours is no circle: not found, listed, replaced, nor joined", async () => {
      const { store, forge } = parts();
      const forged = newCircle();
      await forge.record(forged);
      expect(await store.find(forged.id)).toBeUndefined();
      expect(await listedIds()).not.toContain(forged.id);
      expect(await store.replace(forged)).toBe(false);
      expect(await store.addMember(forged.id, "mallory@example.org")).toBe("no-circle");
      expect(await store.find(forged.id)).toBeUndefined();
    });

    it("a record copied under another id, or signed for another host, is no circle", async () => {
      const { store, forge } = parts();
      const real = await created();
      const [copy, other] = [newCircleId(), newCircle()];
      await forge.copyRecord(real.id, copy);
      await forge.otherHostRecord(other);
      expect(await store.find(copy)).toBeUndefined();
      expect(await store.find(other.id)).toBeUndefined();
      const listed = await listedIds();
      expect(listed).toContain(real.id);
      expect(listed).not.toContain(copy);
      expect(listed).not.toContain(other.id);
    });

    it("a member whose tag is not ours is nobody; adding them for real makes them a member", async () => {
      const { store, forge } = parts();
      const circle = await created();
      await forge.member(circle.id, "mallory@example.org");
      expect(await store.find(circle.id)).toEqual(withMembers(circle));
      expect((await store.list()).find(({ id }) => id === circle.id)?.members).toEqual([]);
      expect(await store.removeMember(circle.id, "mallory@example.org")).toBe(false);
      await forge.member(circle.id, "mallory@example.org");
      expect(await store.addMember(circle.id, "mallory@example.org")).toBe("added");
      expect((await store.find(circle.id))?.members).toEqual(["mallory@example.org"]);
    });

    it("a membership copied from another circle, or from another host, is nobody", async () => {
      const { store, forge } = parts();
      const [circle, other] = [await created(), await created()];
      await store.addMember(other.id, "alice@example.org");
      await forge.copyMember(other.id, circle.id, "alice@example.org");
      await forge.otherHostMember(circle.id, "bob@example.org");
      expect(await store.find(circle.id)).toEqual(withMembers(circle));
      expect(await store.addMember(circle.id, "alice@example.org")).toBe("added");
      expect((await store.find(other.id))?.members).toEqual(["alice@example.org"]);
    });

    it("an id in the index without a record is skipped", async () => {
      const { forge } = parts();
      const real = await created();
      const ghost = newCircleId();
      await forge.indexOnly(ghost);
      const listed = await listedIds();
      expect(listed).toContain(real.id);
      expect(listed).not.toContain(ghost);
    });

    it("keys of another type hide their own circle only, and are no outage", async () => {
      const { store, forge } = parts();
      const [hidden, seen] = [await created(), await created()];
      await store.addMember(seen.id, "alice@example.org");
      await forge.wrongTypes(hidden.id);
      expect(await store.find(hidden.id)).toBeUndefined();
      expect(await store.addMember(hidden.id, "alice@example.org")).toBe("no-circle");
      const listed = await store.list();
      expect(listed.map(({ id }) => id)).not.toContain(hidden.id);
      expect(listed.find(({ id }) => id === seen.id)).toEqual(withMembers(seen, ["alice@example.org"]));
      expect(await store.remove(hidden.id)).toBe(false);
    });

    it("a membership signed with an old key (before a rotation) counts, and is there already", async () => {
      const { store, forge } = parts();
      const circle = await created();
      await forge.oldKeyMember(circle.id, "alice@example.org");
      expect((await store.find(circle.id))?.members).toEqual(["alice@example.org"]);
      expect(await store.addMember(circle.id, "alice@example.org")).toBe("already");
      expect(await store.removeMember(circle.id, "alice@example.org")).toBe(true);
    });
  });
}
