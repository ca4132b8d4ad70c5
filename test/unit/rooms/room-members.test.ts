import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { addRoomMembers } from "../../../src/rooms/room-members.js";

const ROOM = "hall@conference.example.org";

/** A room's affiliations, changed as a service does: all items of a batch (ejabberd), or only the first (Prosody). */
function room(affiliations: Record<string, string>, { firstItemOnly = false } = {}) {
  const sets: string[][] = [];
  const request = async (iq: Element): Promise<Element> => {
    const items = iq.getChild("query")?.getChildren("item") ?? [];
    if (iq.attrs.type === "get") {
      const wanted = items[0]?.attrs.affiliation;
      const jids = Object.entries(affiliations).filter(([, affiliation]) => affiliation === wanted);
      return xml(
        "iq",
        { type: "result" },
        xml("query", {}, ...jids.map(([jid]) => xml("item", { jid, affiliation: wanted }))),
      );
    }
    sets.push(items.map((item) => String(item.attrs.jid)));
    for (const item of firstItemOnly ? items.slice(0, 1) : items) affiliations[String(item.attrs.jid)] = "member";
    return xml("iq", { type: "result" });
  };
  return { deps: { request, timeoutMs: 1_000, log: createLogger("silent") }, sets, affiliations };
}

describe("addRoomMembers", () => {
  it("makes the members without an affiliation members in one batch, leaving owners, admins and outcasts", async () => {
    const { deps, sets, affiliations } = room({
      "owner@example.org": "owner",
      "admin@example.org": "admin",
      "gone@example.org": "outcast",
      "old@example.org": "member",
    });
    const circle = [
      "owner@example.org",
      "admin@example.org",
      "gone@example.org",
      "old@example.org",
      "a@example.org",
      "b@example.org",
    ];
    await addRoomMembers(deps, ROOM, circle);
    expect(sets).toEqual([["a@example.org", "b@example.org"]]);
    expect(affiliations).toMatchObject({
      "owner@example.org": "owner",
      "admin@example.org": "admin",
      "gone@example.org": "outcast",
      "a@example.org": "member",
      "b@example.org": "member",
    });
  });

  it("grants one by one whoever a batch missed (Prosody applies only its first item)", async () => {
    const { deps, sets, affiliations } = room({}, { firstItemOnly: true });
    await addRoomMembers(deps, ROOM, ["a@example.org", "b@example.org", "c@example.org"]);
    expect(sets).toEqual([["a@example.org", "b@example.org", "c@example.org"], ["b@example.org"], ["c@example.org"]]);
    expect(Object.keys(affiliations).sort()).toEqual(["a@example.org", "b@example.org", "c@example.org"]);
  });

  it("sends nothing when everyone is affiliated already, and says so when the room refuses", async () => {
    const { deps, sets } = room({ "a@example.org": "member" });
    await addRoomMembers(deps, ROOM, ["a@example.org"]);
    expect(sets).toEqual([]);
    const refusing = {
      ...deps,
      request: async (iq: Element) =>
        iq.attrs.type === "get"
          ? xml("iq", { type: "result" }, xml("query"))
          : xml(
              "iq",
              { type: "error" },
              xml("error", { type: "auth" }, xml("forbidden", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
            ),
    };
    await expect(addRoomMembers(refusing, ROOM, ["b@example.org"])).rejects.toMatchObject({
      code: "circle-room-failed",
      params: { name: ROOM, reason: "forbidden" },
    });
  });
});
