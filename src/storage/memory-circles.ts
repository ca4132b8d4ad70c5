/**
 * Circles in memory (src/circles/store.ts), for unit tests and the memory backend (memory-store.ts): the same
 * behaviour as redis-circles.ts, without signing, since nobody else can write here. Everything handed in or out is
 * a copy, so no caller changes what is stored but through the port.
 */
import { type Circle, type CircleWithMembers, isCircleId } from "../circles/circle.js";
import type { CircleStore, MemberAdded } from "../circles/store.js";
import { byCircleName } from "./circle-order.js";

interface Kept {
  circle: Circle;
  readonly members: Set<string>;
}

export class MemoryCircles implements CircleStore {
  readonly #circles = new Map<string, Kept>();

  async create(circle: Circle): Promise<void> {
    if (!isCircleId(circle.id)) throw new Error(`not a circle id: ${circle.id}`);
    // Ids are random: one taken already is a fault, never a circle to overwrite.
    if (this.#circles.has(circle.id)) throw new Error(`a circle with id ${circle.id} exists already`);
    this.#circles.set(circle.id, { circle: copyOf(circle), members: new Set() });
  }

  async replace(circle: Circle): Promise<boolean> {
    const kept = this.#circles.get(circle.id);
    if (kept === undefined) return false;
    kept.circle = copyOf(circle);
    return true;
  }

  async remove(id: string): Promise<boolean> {
    return this.#circles.delete(id);
  }

  async find(id: string): Promise<CircleWithMembers | undefined> {
    const kept = this.#circles.get(id);
    return kept === undefined ? undefined : withMembers(kept);
  }

  async list(): Promise<CircleWithMembers[]> {
    return [...this.#circles.values()].map(withMembers).sort(byCircleName);
  }

  async addMember(id: string, jid: string): Promise<MemberAdded> {
    const kept = this.#circles.get(id);
    if (kept === undefined) return "no-circle";
    if (kept.members.has(jid)) return "already";
    kept.members.add(jid);
    return "added";
  }

  async removeMember(id: string, jid: string): Promise<boolean> {
    return this.#circles.get(id)?.members.delete(jid) ?? false;
  }
}

/** Only the fields of a Circle: a CircleWithMembers handed to create or replace keeps no members that way. */
function copyOf({ id, name, rooms, createdAt, createdBy }: Circle): Circle {
  return { id, name, rooms: [...rooms], createdAt, createdBy };
}

function withMembers({ circle, members }: Kept): CircleWithMembers {
  return { ...copyOf(circle), members: [...members].sort() };
}
