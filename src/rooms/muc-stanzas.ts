/**
 * The XEP-0045 stanzas the bot sends to make and fill a circle's group chat, and how it reads the answers; the
 * forms that work on both Prosody (0.12, 13) and ejabberd.
 */
import { type Element, xml } from "@xmpp/xml";
import { InviteError } from "../errors.js";
import { NS } from "../xmpp/namespaces.js";

export const MUC = {
  /** §7.2: entering a room. */
  join: "http://jabber.org/protocol/muc",
  /** §7.2.3: what the room says about an occupant (status codes, affiliation). */
  user: "http://jabber.org/protocol/muc#user",
  /** §10: the owner's room configuration. */
  owner: "http://jabber.org/protocol/muc#owner",
  /** §9: affiliations, set and read by an admin or owner. */
  admin: NS.mucAdmin,
  roomConfig: "http://jabber.org/protocol/muc#roomconfig",
} as const;

/** An IQ over the bot's session: resolves with the answer (an error answer too), rejects when none came. */
export type IqRequest = (iq: Element) => Promise<Element>;

/** §7.2.1 entering as `occupant` (room/nick), asking for no history (§7.2.14): the bot only looks. */
export function joinPresence(occupant: string): Element {
  return xml("presence", { to: occupant }, xml("x", { xmlns: MUC.join }, xml("history", { maxstanzas: "0" })));
}

/** §7.14: leaving. */
export function leavePresence(occupant: string): Element {
  return xml("presence", { to: occupant, type: "unavailable" });
}

function field(name: string, value: string): Element {
  return xml("field", { var: name }, xml("value", {}, value));
}

/** §10.1.3 / §10.2: the configuration form submitted, with only the fields we set. */
export function configureIq(room: string, values: Readonly<Record<string, string>>): Element {
  return xml(
    "iq",
    { type: "set", to: room },
    xml(
      "query",
      { xmlns: MUC.owner },
      xml(
        "x",
        { xmlns: NS.dataForms, type: "submit" },
        field("FORM_TYPE", MUC.roomConfig),
        ...Object.entries(values).map(([name, value]) => field(name, value)),
      ),
    ),
  );
}

/** §9.3 / §9.5: `jids` made members, in one request (several items: §9.5's batch of member list changes). */
export function membersIq(room: string, jids: readonly string[]): Element {
  const items = jids.map((jid) => xml("item", { affiliation: "member", jid }));
  return xml("iq", { type: "set", to: room }, xml("query", { xmlns: MUC.admin }, ...items));
}

/** §9.5: the list of one affiliation. */
export function affiliationListIq(room: string, affiliation: string): Element {
  return xml("iq", { type: "get", to: room }, xml("query", { xmlns: MUC.admin }, xml("item", { affiliation })));
}

/** The defined condition of an error stanza (RFC 6120 §8.3.3), e.g. "forbidden". */
export function errorCondition(stanza: Element): string | undefined {
  const error = stanza.getChild("error");
  return error?.getChildElements().find((child) => child.getNS() === NS.stanzas)?.name;
}

/** `answer`, or InviteError("circle-room-timeout") after `ms`: a service that does not answer changes nothing. */
export async function within<T>(answer: Promise<T>, ms: number, room: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InviteError("circle-room-timeout", { params: { name: room } })), ms);
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}
