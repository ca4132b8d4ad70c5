/**
 * Group chats for the tests (XEP-0045), made by a user the way an app makes them: join a room that does not exist
 * (it is created, with the user as owner), configure it as a circle's chat is (members-only, persistent), and give
 * another account (the bot) an affiliation in it.
 */
import { type Element, xml } from "@xmpp/xml";
import type { TestUser } from "./xmpp-user.js";

const MUC = "http://jabber.org/protocol/muc";
const MUC_OWNER = "http://jabber.org/protocol/muc#owner";
const MUC_ADMIN = "http://jabber.org/protocol/muc#admin";

function field(name: string, value: string): Element {
  return xml("field", { var: name }, xml("value", {}, value));
}

/** Creates `room` (room@service) owned by `owner`, members-only and persistent; `admins` get the owner affiliation. */
export async function createRoom(owner: TestUser, room: string, admins: readonly string[] = []): Promise<void> {
  const nick = owner.bareJid.split("@")[0] ?? "owner";
  await owner.send(xml("presence", { to: `${room}/${nick}` }, xml("x", { xmlns: MUC })));
  // XEP-0045 §10.1.2: the room exists (locked) once the creator's own presence comes back.
  await owner.nextPresence({ from: `${room}/${nick}`, type: "available" }, 10_000);
  await owner.request(
    xml(
      "iq",
      { type: "set", to: room },
      xml(
        "query",
        { xmlns: MUC_OWNER },
        xml(
          "x",
          { xmlns: "jabber:x:data", type: "submit" },
          field("FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig"),
          field("muc#roomconfig_persistentroom", "1"),
          field("muc#roomconfig_membersonly", "1"),
        ),
      ),
    ),
  );
  for (const jid of admins) {
    await owner
      .request(
        xml(
          "iq",
          { type: "set", to: room },
          xml("query", { xmlns: MUC_OWNER }, xml("item", { affiliation: "owner", jid })),
        ),
      )
      .catch(() =>
        // XEP-0045 §10.3 grants owners through muc#owner on older services and muc#admin on newer ones.
        owner.request(
          xml(
            "iq",
            { type: "set", to: room },
            xml("query", { xmlns: MUC_ADMIN }, xml("item", { affiliation: "owner", jid })),
          ),
        ),
      );
  }
}

/** The bare JIDs with `affiliation` in `room`, as its owner sees them (XEP-0045 §9.5). */
export async function affiliated(owner: TestUser, room: string, affiliation: string): Promise<string[]> {
  const reply = await owner.request(
    xml("iq", { type: "get", to: room }, xml("query", { xmlns: MUC_ADMIN }, xml("item", { affiliation }))),
  );
  return (reply.getChild("query")?.getChildren("item") ?? []).map((item) => String(item.attrs.jid)).sort();
}
