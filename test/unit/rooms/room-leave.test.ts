import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { roomLeaver } from "../../../src/rooms/room-leave.js";

describe("roomLeaver", () => {
  it("sets the affiliation none in each room, and logs a room that refuses", async () => {
    const asked: string[] = [];
    const lines: string[] = [];
    const leaver = roomLeaver({
      request: async (iq: Element) => {
        const item = iq.getChild("query", "http://jabber.org/protocol/muc#admin")?.getChild("item");
        asked.push(`${iq.attrs.to}: ${item?.attrs.jid} ${item?.attrs.affiliation}`);
        return xml("iq", { type: iq.attrs.to === "locked@muc.example.org" ? "error" : "result" });
      },
      log: createLogger("debug", { write: (line: string) => lines.push(line) }),
    });
    await leaver.leave(["locked@muc.example.org", "hall@muc.example.org"], "zoe@example.org");
    expect(asked).toEqual([
      "locked@muc.example.org: zoe@example.org none",
      "hall@muc.example.org: zoe@example.org none",
    ]);
    expect(lines.join("")).toContain("Could not take a former circle member off a group chat's members");
  });
});
