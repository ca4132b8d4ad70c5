/**
 * `CircleService`, the domain's face for circles (docs/circles.md): admins create, rename, fill and delete them;
 * everyone may see the circles they belong to. Circles are named by id or by name (without case). Knows nothing of
 * XMPP or Redis; the store's failures become InviteError("store-unavailable").
 */
import { InviteError } from "../errors.js";
import { type EventSink, silentSink } from "../events.js";
import type { CircleChoice } from "../invites/circle-choice.js";
import { type Clock, nowSeconds, systemClock } from "../invites/expiry.js";
import { guarded } from "../invites/guarded.js";
import type { Actor, Policy } from "../invites/permissions.js";
import type { RandomSource } from "../invites/token.js";
import { type Circle, type CircleWithMembers, isCircleId, newCircleId, sameCircleName } from "./circle.js";
import { type ChangedCircle, type CircleEdit, type NewCircle, withoutMembers } from "./circle-changes.js";
import { CircleChats } from "./circle-chats.js";
import type { CircleEvents } from "./circle-events.js";
import type { RoomMemberships } from "./room-memberships.js";
import type { RoomSetup } from "./room-setup.js";
import { validCircleName, validMember } from "./rules.js";
import type { CircleStore } from "./store.js";

export interface CircleServiceOptions {
  readonly store: CircleStore;
  readonly policy: Policy;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly events?: EventSink<CircleEvents>;
  /** The group chats' member lists, which a member who leaves a circle leaves too (room-memberships.ts). */
  readonly rooms?: RoomMemberships;
  /** The group chat service, where a chat new to a circle is created or checked (room-setup.ts); none: only named. */
  readonly roomSetup?: RoomSetup;
}

export class CircleService implements CircleChoice {
  readonly #options: CircleServiceOptions;
  readonly #store: CircleStore;
  readonly #events: EventSink<CircleEvents>;
  readonly #chats: CircleChats;

  constructor(options: CircleServiceOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#events = options.events ?? silentSink();
    this.#chats = new CircleChats(options.roomSetup, options.policy.domain);
  }

  /** Admins: every circle; anyone else: the circles they are a member of. */
  async list(actor: Actor): Promise<CircleWithMembers[]> {
    const all = await guarded(() => this.#store.list());
    return actor.isAdmin ? all : all.filter((circle) => circle.members.includes(actor.jid));
  }

  /** CircleChoice (src/invites/circle-choice.ts): the circles an invite of `actor` may name, by id, each once. */
  async idsFor(actor: Actor, refs: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) ids.push((await this.find(actor, ref)).id);
    return [...new Set(ids)];
  }

  /** The circle `ref` names (its id, or its name without case) among those the actor may see. */
  async find(actor: Actor, ref: string): Promise<CircleWithMembers> {
    // By id, that one circle is read; only a name needs them all.
    const byId = isCircleId(ref.trim()) ? await guarded(() => this.#store.find(ref.trim())) : undefined;
    if (byId !== undefined && (actor.isAdmin || byId.members.includes(actor.jid))) return byId;
    const visible = await this.list(actor);
    const named = visible.filter((circle) => sameCircleName(circle.name, ref.trim()));
    if (named.length > 1) throw new InviteError("circle-ambiguous", { params: { name: ref.trim() } });
    const [found] = named;
    if (found === undefined) throw new InviteError("circle-not-found", { params: { name: ref.trim() } });
    return found;
  }

  async create(actor: Actor, nameText: string, start: NewCircle = {}): Promise<ChangedCircle> {
    this.#adminOnly(actor);
    const name = validCircleName(nameText);
    const members = [...new Set((start.members ?? []).map((jid) => this.#member(jid)))].sort();
    const rooms = await this.#chats.wanted(start.rooms ?? []);
    const existing = await guarded(() => this.#store.list());
    if (existing.some((circle) => sameCircleName(circle.name, name))) {
      throw new InviteError("circle-name-taken", { params: { name } });
    }
    // The chats first: one that refuses leaves no circle behind.
    const roomsAdded = await this.#chats.bring(rooms, { name, members });
    const circle: Circle = {
      id: newCircleId(this.#options.random),
      name,
      rooms: rooms.map((room) => room.jid),
      createdAt: nowSeconds(this.#options.clock ?? systemClock),
      createdBy: actor.jid,
    };
    await guarded(() => this.#store.create(circle), "no circle was created");
    for (const jid of members) await guarded(() => this.#store.addMember(circle.id, jid));
    this.#events.emit("circle-changed", { id: circle.id, change: "created", by: actor.jid });
    return { ...circle, members, roomsAdded };
  }

  async rename(actor: Actor, ref: string, nameText: string): Promise<Circle> {
    this.#adminOnly(actor);
    const name = validCircleName(nameText);
    const circle = await this.find(actor, ref);
    const others = (await this.list(actor)).filter((other) => other.id !== circle.id);
    if (others.some((other) => sameCircleName(other.name, name))) {
      throw new InviteError("circle-name-taken", { params: { name } });
    }
    return this.#replace(actor, circle, { ...withoutMembers(circle), name }, "renamed");
  }

  /** Adds a group chat (an address, or a name alone: circle-chats.ts) to the circle: an edit of its chats. */
  async addRoom(actor: Actor, ref: string, roomText: string): Promise<ChangedCircle> {
    const circle = await this.find(actor, ref);
    return this.edit(actor, circle.id, { rooms: [...circle.rooms, roomText] });
  }

  async removeRoom(actor: Actor, ref: string, roomText: string): Promise<ChangedCircle> {
    const [room] = await this.#chats.wanted([roomText]);
    const circle = await this.find(actor, ref);
    return this.edit(actor, circle.id, { rooms: circle.rooms.filter((each) => each !== room?.jid) });
  }

  /** Whether the account was added (false: it was a member already). */
  async addMember(actor: Actor, ref: string, jidText: string): Promise<boolean> {
    this.#adminOnly(actor);
    const jid = this.#member(jidText);
    const circle = await this.find(actor, ref);
    const added = await guarded(() => this.#store.addMember(circle.id, jid));
    if (added === "no-circle") throw new InviteError("circle-not-found", { params: { name: ref.trim() } });
    if (added === "added") {
      await this.#chats.admit(circle.rooms, jid);
      this.#events.emit("circle-changed", { id: circle.id, change: "member-added", by: actor.jid });
    }
    return added === "added";
  }

  /** Whether the account was a member. */
  async removeMember(actor: Actor, ref: string, jidText: string): Promise<boolean> {
    this.#adminOnly(actor);
    const jid = this.#member(jidText);
    const circle = await this.find(actor, ref);
    const removed = await guarded(() => this.#store.removeMember(circle.id, jid));
    if (removed) {
      await this.#options.rooms?.leave(circle.rooms, jid);
      this.#events.emit("circle-changed", { id: circle.id, change: "member-removed", by: actor.jid });
    }
    return removed;
  }

  /**
   * Makes the circle what `wanted` says (each part given): everything is checked before anything changes, then only
   * what differs is done, one change at a time. Chats new to the circle come first, with the members it will have:
   * one that refuses changes nothing in the circle.
   */
  async edit(actor: Actor, ref: string, wanted: CircleEdit): Promise<ChangedCircle> {
    this.#adminOnly(actor);
    const name = wanted.name === undefined ? undefined : validCircleName(wanted.name);
    const members = wanted.members === undefined ? undefined : new Set(wanted.members.map((jid) => this.#member(jid)));
    const chats = wanted.rooms === undefined ? undefined : await this.#chats.wanted(wanted.rooms);
    const rooms = chats?.map((room) => room.jid);
    const before = await this.find(actor, ref);
    const roomsAdded = await this.#chats.bring(
      (chats ?? []).filter((room) => !before.rooms.includes(room.jid)),
      { name: name ?? before.name, members: members === undefined ? before.members : [...members] },
    );
    if (name !== undefined && name !== before.name) await this.rename(actor, before.id, name);
    for (const jid of members ?? []) if (!before.members.includes(jid)) await this.addMember(actor, before.id, jid);
    const leaving = members === undefined ? [] : before.members.filter((jid) => !members.has(jid));
    for (const jid of leaving) await this.removeMember(actor, before.id, jid);
    if (rooms !== undefined && rooms.join(" ") !== before.rooms.join(" ")) {
      const current = await this.find(actor, before.id);
      await this.#replace(actor, current, { ...withoutMembers(current), rooms }, "rooms-changed");
    }
    return { ...(await this.find(actor, before.id)), roomsAdded };
  }

  async delete(actor: Actor, ref: string): Promise<CircleWithMembers> {
    this.#adminOnly(actor);
    const circle = await this.find(actor, ref);
    await guarded(() => this.#store.remove(circle.id));
    this.#events.emit("circle-changed", { id: circle.id, change: "deleted", by: actor.jid });
    return circle;
  }

  async #replace(actor: Actor, before: CircleWithMembers, next: Circle, change: CircleChange): Promise<Circle> {
    if (!(await guarded(() => this.#store.replace(next)))) {
      throw new InviteError("circle-not-found", { params: { name: before.name } });
    }
    this.#events.emit("circle-changed", { id: next.id, change, by: actor.jid });
    return next;
  }

  #adminOnly(actor: Actor): void {
    if (!actor.isAdmin) throw new InviteError("circles-admins-only");
  }

  #member = (text: string): string => validMember(text, this.#options.policy.domain);
}

type CircleChange = CircleEvents["circle-changed"]["change"];
