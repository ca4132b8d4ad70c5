import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { joinedCirclesFrom } from "../../../src/notifications/joined-circles.js";
import { welcomeToRooms } from "../../../src/rooms/room-welcome.js";
import { MemoryCircles } from "../../../src/storage/memory-circles.js";

async function circlesWith(rooms: Record<string, string[]>, member = "zoe@example.org") {
  const circles = new MemoryCircles();
  for (const [name, its] of Object.entries(rooms)) {
    const id = `${name.padEnd(12, "x").slice(0, 12)}`;
    await circles.create({ id, name, rooms: its, createdAt: 1, createdBy: "admin@example.org" });
    await circles.addMember(id, member);
  }
  return circles;
}

describe("welcomeToRooms", () => {
  it("grants membership in each group chat of the newcomer's circles once, then invites them to it", async () => {
    const circles = await circlesWith({
      Family: ["hall@muc.example.org"],
      Chess: ["hall@muc.example.org", "board@muc.example.org"],
    });
    const sent: string[] = [];
    await welcomeToRooms(
      {
        request: async (iq: Element) => {
          sent.push(`${iq.attrs.to} ${iq.getChild("query")?.getChild("item")?.attrs.affiliation}`);
          return xml("iq", { type: "result" });
        },
        send: async (stanza) => {
          const x = stanza.getChild("x", "jabber:x:conference");
          sent.push(`invite ${stanza.attrs.to} to ${x?.attrs.jid}: ${x?.attrs.reason}`);
        },
        log: createLogger("silent"),
      },
      "zoe@example.org",
      await joinedCirclesFrom(circles)("zoe@example.org"),
    );
    expect(sent).toEqual([
      "hall@muc.example.org member",
      "invite zoe@example.org to hall@muc.example.org: You joined Chess: this is its group chat.",
      "board@muc.example.org member",
      "invite zoe@example.org to board@muc.example.org: You joined Chess: this is its group chat.",
    ]);
  });

  it("invites nobody to a room that refused the membership, and goes on with the next", async () => {
    const circles = await circlesWith({ Family: ["locked@muc.example.org", "open@muc.example.org"] });
    const invited: string[] = [];
    const lines: string[] = [];
    await welcomeToRooms(
      {
        request: async (iq: Element) =>
          iq.attrs.to === "locked@muc.example.org"
            ? xml(
                "iq",
                { type: "error" },
                xml("error", { type: "auth" }, xml("forbidden", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
              )
            : xml("iq", { type: "result" }),
        send: async (stanza) => {
          invited.push(String(stanza.getChild("x")?.attrs.jid));
        },
        log: createLogger("debug", { write: (line: string) => lines.push(line) }),
      },
      "zoe@example.org",
      await joinedCirclesFrom(circles)("zoe@example.org"),
    );
    expect(invited).toEqual(["open@muc.example.org"]);
    expect(lines.join("")).toMatch(
      /WARN +Could not make a newcomer a member .*room=locked@muc\.example\.org .*error=forbidden/u,
    );
  });

  it("welcomes to the invite's group chats outside circles too, after the circles' and without repeats", async () => {
    const circles = await circlesWith({ Family: ["hall@muc.example.org"] });
    const sent: string[] = [];
    await welcomeToRooms(
      {
        request: async (iq: Element) => {
          sent.push(`${iq.attrs.to} ${iq.getChild("query")?.getChild("item")?.attrs.jid}`);
          return xml("iq", { type: "result" });
        },
        send: async (stanza) => {
          const x = stanza.getChild("x", "jabber:x:conference");
          sent.push(`invite ${stanza.attrs.to} to ${x?.attrs.jid}: ${x?.attrs.reason}`);
        },
        log: createLogger("silent"),
      },
      "zoe@example.org",
      await joinedCirclesFrom(circles)("zoe@example.org"),
      ["lounge@muc.example.org", "hall@muc.example.org"],
    );
    expect(sent).toEqual([
      "hall@muc.example.org zoe@example.org",
      "invite zoe@example.org to hall@muc.example.org: You joined Family: this is its group chat.",
      "lounge@muc.example.org zoe@example.org",
      "invite zoe@example.org to lounge@muc.example.org: Your invite included this group chat.",
    ]);
  });

  it("does nothing for an account in no circle", async () => {
    const circles = await circlesWith({ Family: ["hall@muc.example.org"] }, "someone@example.org");
    const calls: unknown[] = [];
    await welcomeToRooms(
      {
        request: async (iq) => {
          calls.push(iq);
          return iq;
        },
        send: async (s) => void calls.push(s),
        log: createLogger("silent"),
      },
      "zoe@example.org",
      await joinedCirclesFrom(circles)("zoe@example.org"),
    );
    expect(calls).toEqual([]);
  });
});
