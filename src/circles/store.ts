/**
 * The port circles are kept through (src/storage/ implements it: docs/storage.md, "Circles"). Whatever the store
 * hands back was written by us: a circle or a membership that does not verify is not there (write access to the
 * store must not let anyone into a circle). Every method rejects with StoreUnavailableError while the store does
 * not answer.
 */
import type { Circle, CircleWithMembers } from "./circle.js";

export type MemberAdded = "added" | "already" | "no-circle";

export interface CircleStore {
  /** Stores a new circle, without members. */
  create(circle: Circle): Promise<void>;
  /** Replaces what the circle is (name, chats); false when there is no such circle (any more). */
  replace(circle: Circle): Promise<boolean>;
  /** Removes the circle and its memberships; false when there was none. */
  remove(id: string): Promise<boolean>;
  find(id: string): Promise<CircleWithMembers | undefined>;
  /** Every circle, with its members. */
  list(): Promise<CircleWithMembers[]>;
  /** `already` for a member already there; `no-circle` when the circle is gone (nothing is written then). */
  addMember(id: string, jid: string): Promise<MemberAdded>;
  /** false when the account was not a member. */
  removeMember(id: string, jid: string): Promise<boolean>;
}
