import { type Actor, actorFor, type Policy } from "../invites/permissions.js";
import { bareJid } from "../jid.js";
import type { Logger } from "../logger.js";

/** What every ad-hoc and chat handler gets about the requester. */
export interface RequestContext {
  /** Full JID as the server delivered it. */
  readonly from: string;
  readonly actor: Actor;
  readonly log: Logger;
}

export function contextFactory(policy: Policy, log: Logger): (from: string) => RequestContext {
  return (from) => {
    const actor = actorFor(bareJid(from), policy);
    return { from, actor, log: log.child({ from: actor.jid }) };
  };
}
