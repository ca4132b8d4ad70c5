/**
 * Joining the circles an invite names, when the bot is the registration hook (docs/circles.md, docs/servers.md):
 * the new account becomes a member of each circle, and every member and the newcomer mutual contacts filed under
 * the circle's name — through ejabberd's API where there is one, else from the new account itself (each member is
 * asked to accept). Only a member the store added just now gets contacts made: a retry or a second instance adds
 * nobody twice. On Prosody with our module the module does this itself, server-side.
 *
 * An existing account that joins through the invite's link (existing-join.ts) has no password the bot knows: its
 * contacts are made through ejabberd's API only, and without one it becomes a member and nothing more. So does the
 * join the sweep finishes for a run that stopped (unsettled-sweep.ts): that run may have added the member and not
 * made all the contacts, so a `resumed` join makes them for a member already there too (ejabberd's add_rosteritem
 * sets the same item again: nothing is doubled).
 */
import type { CircleStore } from "../circles/store.js";
import { circleIdsOf, type InviteRecord } from "../invites/record.js";
import type { Logger } from "../logger.js";
import type { ContactMaker } from "./contacts.js";

export interface CircleJoinDeps {
  readonly circles: Pick<CircleStore, "find" | "addMember">;
  /** How members become contacts; undefined: membership only (an existing account without ejabberd's API). */
  readonly contacts: ContactMaker | undefined;
  readonly log: Logger;
  /** A join a stopped run may have begun: a member already there gets the contacts as well. */
  readonly resumed?: boolean;
}

/**
 * The circles of `record` that `jid` (just registered with it, with `password`; or an existing account, whose
 * password the bot never has: "") joins; never throws.
 */
export async function joinCircles(deps: CircleJoinDeps, record: InviteRecord, jid: string, password: string) {
  for (const id of circleIdsOf(record)) {
    try {
      await joinCircle(deps, id, jid, password);
    } catch (error) {
      deps.log.warn("Could not finish joining a circle", { circle: id, jid, error: (error as Error).message });
    }
  }
}

async function joinCircle(deps: CircleJoinDeps, id: string, jid: string, password: string) {
  const { circles, contacts, log } = deps;
  const added = await circles.addMember(id, jid);
  // A circle deleted since the invite was made (or one that does not verify) is joined by nobody; a member already
  // there had their contacts made by whoever added them, unless that was a run that stopped half-way.
  if (added === "no-circle" || (added === "already" && deps.resumed !== true)) return;
  // The members as they are once this newcomer is one: of two newcomers joining at once, the one who reads last
  // sees the other, so every pair becomes contacts.
  const circle = await circles.find(id);
  if (circle === undefined) return log.info("An invite's circle went away while it was joined", { circle: id, jid });
  for (const member of circle.members) {
    if (member === jid || contacts === undefined) continue;
    await contacts.makeMutual(member, jid, password, circle.name).catch((error: unknown) =>
      log.warn("Could not make circle members contacts", {
        circle: id,
        member,
        jid,
        error: (error as Error).message,
      }),
    );
  }
  log.info("Joined a circle", { circle: id, jid, members: circle.members.length });
}
