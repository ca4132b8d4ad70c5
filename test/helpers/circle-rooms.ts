/**
 * For the tests of circles' group chats (test/integration/circle-rooms.test.ts and its ejabberd twin): what a room
 * is (XEP-0030 disco#info of the room, XEP-0045 §6.4) and who is affiliated with it (§9.5, §10.5), as its owner, the
 * bot, sees it; and the ad-hoc edit form of a circle submitted.
 */
import { type Element, xml } from "@xmpp/xml";
import { EDIT_CIRCLE_NODE } from "../../src/commands/circle-commands.js";
import { NS_COMMANDS } from "./adhoc-client.js";

type Request = (iq: Element) => Promise<Element>;

export interface RoomFacts {
  /** The room's features: muc_persistent, muc_membersonly, muc_hidden … */
  readonly features: readonly string[];
  /** Its name (the conference identity's). */
  readonly name: string | undefined;
}

export async function roomFacts(request: Request, room: string): Promise<RoomFacts> {
  const info = await request(
    xml("iq", { type: "get", to: room }, xml("query", { xmlns: "http://jabber.org/protocol/disco#info" })),
  );
  const query = info.getChild("query");
  return {
    features: (query?.getChildren("feature") ?? []).map((feature) => String(feature.attrs.var)),
    name: query?.getChildren("identity").find((identity) => identity.attrs.category === "conference")?.attrs.name,
  };
}

/** The sorted bare JIDs with `affiliation` in `room`. */
export async function affiliatedIn(request: Request, room: string, affiliation: string): Promise<string[]> {
  const reply = await request(
    xml(
      "iq",
      { type: "get", to: room },
      xml("query", { xmlns: "http://jabber.org/protocol/muc#admin" }, xml("item", { affiliation })),
    ),
  );
  return (reply.getChild("query")?.getChildren("item") ?? []).map((item) => String(item.attrs.jid)).sort();
}

function command(to: string, attrs: Record<string, string>, ...children: Element[]): Element {
  return xml(
    "iq",
    { type: "set", to },
    xml("command", { xmlns: NS_COMMANDS, node: EDIT_CIRCLE_NODE, ...attrs }, ...children),
  );
}

function submitted(values: Record<string, string | readonly string[]>): Element {
  const fields = Object.entries(values).map(([name, value]) =>
    xml("field", { var: name }, ...(typeof value === "string" ? [value] : value).map((each) => xml("value", {}, each))),
  );
  return xml("x", { xmlns: "jabber:x:data", type: "submit" }, ...fields);
}

/** Runs _Edit a circle_ to its end: picks `circleId`, submits `values`; the note of the last answer. */
export async function editCircle(
  request: Request,
  bot: string,
  circleId: string,
  values: Record<string, string | readonly string[]>,
): Promise<string> {
  const first = (await request(command(bot, { action: "execute" }))).getChild("command");
  const sessionid = first?.attrs.sessionid ?? "";
  await request(command(bot, { sessionid, action: "next" }, submitted({ circle: circleId })));
  const done = await request(command(bot, { sessionid, action: "complete" }, submitted(values)));
  return done.getChild("command")?.getChildText("note") ?? done.toString();
}
