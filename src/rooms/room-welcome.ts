/**
 * Group chats on join (docs/circles.md): a newcomer (a new account, or an existing one that joined through an invite)
 * becomes a `member` of each group chat of their circles and of each the invite names outside circles
 * (XEP-0045 §9.3: the bot must own or administer the room, on any server) and gets a direct invitation to it
 * (XEP-0249 §2), so their app offers to join. Done before the use is acknowledged (src/notifications/consumer.ts):
 * a bot stopped half-way does it again at its next start; granting membership twice changes nothing.
 */
import { type Element, xml } from "@xmpp/xml";
import type { Circle } from "../circles/circle.js";
import type { Logger } from "../logger.js";
import { NS } from "../xmpp/namespaces.js";

export interface RoomWelcomeDeps {
  /** An IQ over the bot's session, answered (errors too) or rejected when nothing came. */
  readonly request: (iq: Element) => Promise<Element>;
  readonly send: (stanza: Element) => Promise<void>;
  readonly log: Logger;
}

/** XEP-0045 §9.3: grant membership. */
export function memberIq(room: string, jid: string): Element {
  return xml(
    "iq",
    { type: "set", to: room },
    xml("query", { xmlns: NS.mucAdmin }, xml("item", { affiliation: "member", jid })),
  );
}

/** XEP-0249 §2: the invitation, from the bot, with why. */
export function directInvitation(room: string, to: string, reason: string): Element {
  return xml("message", { to }, xml("x", { xmlns: NS.conference, jid: room, reason }));
}

/**
 * The group chats of `circles`, then `rooms` (outside circles), each once, with why: the first circle that has it,
 * or the invite.
 */
function roomsOf(circles: readonly Circle[], rooms: readonly string[]): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const circle of circles) {
    for (const room of circle.rooms) {
      if (!reasons.has(room)) reasons.set(room, `You joined ${circle.name}: this is its group chat.`);
    }
  }
  for (const room of rooms) if (!reasons.has(room)) reasons.set(room, "Your invite included this group chat.");
  return reasons;
}

/**
 * Makes `jid` a member of the group chats of its `circles` and of `rooms` (the invite's group chats outside
 * circles) and invites it to each; a room that refuses is logged.
 */
export async function welcomeToRooms(
  deps: RoomWelcomeDeps,
  jid: string,
  circles: readonly Circle[],
  rooms: readonly string[] = [],
): Promise<void> {
  for (const [room, reason] of roomsOf(circles, rooms)) {
    const answer = await deps.request(memberIq(room, jid)).catch((error: unknown) => error as Error);
    if (answer instanceof Error || answer.attrs.type !== "result") {
      const why = answer instanceof Error ? answer.message : (answer.getChild("error")?.children[0] as Element)?.name;
      deps.log.warn("Could not make a newcomer a member of a group chat (is the bot its owner or admin?)", {
        room,
        jid,
        error: why,
      });
      continue;
    }
    await deps.send(directInvitation(room, jid, reason));
    deps.log.info("Invited a newcomer to a group chat", { room, jid });
  }
}
