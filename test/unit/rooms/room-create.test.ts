import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { InviteError } from "../../../src/errors.js";
import { createLogger } from "../../../src/logger.js";
import { prepareRoom, type RoomCreateDeps } from "../../../src/rooms/room-create.js";

const ROOM = "kitchen@conference.example.org";
const MUC_USER = "http://jabber.org/protocol/muc#user";
const DETAILS = { title: "Kitchen", description: "Group chat of the circle Family" };

/** The room's answer to the bot entering: a self-presence with status codes and an affiliation, or an error. */
function selfPresence(affiliation: string, codes: readonly string[] = ["110"]): Element {
  return xml(
    "presence",
    { from: `${ROOM}/invites` },
    xml(
      "x",
      { xmlns: MUC_USER },
      xml("item", { affiliation, role: "moderator" }),
      ...codes.map((code) => xml("status", { code })),
    ),
  );
}

function refusal(condition: string): Element {
  return xml(
    "presence",
    { from: `${ROOM}/invites`, type: "error" },
    xml("error", { type: "cancel" }, xml(condition, { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" })),
  );
}

const conference = xml(
  "iq",
  { type: "result" },
  xml("query", {}, xml("identity", { category: "conference", type: "text" })),
);

function world(answer: Element | undefined, { configured = "result", service = conference } = {}) {
  const sent: Element[] = [];
  const asked: Element[] = [];
  const deps: RoomCreateDeps = {
    request: async (iq) => {
      asked.push(iq);
      if (iq.getChild("query")?.attrs.xmlns === "http://jabber.org/protocol/disco#info") return service;
      return xml(
        "iq",
        { type: configured },
        ...(configured === "error" ? [refusal("not-acceptable").getChild("error")] : []),
      );
    },
    send: async (stanza) => void sent.push(stanza),
    presences: { expect: async (room, nick) => (room === ROOM && nick === "invites" ? answer : undefined) },
    nick: "invites",
    timeoutMs: 1_000,
    log: createLogger("silent"),
  };
  return { deps, sent, asked };
}

const codeOf = (error: unknown) => (error instanceof InviteError ? error.code : error);

describe("prepareRoom", () => {
  it("creates a room that did not exist: configures it persistent, members-only and hidden, then leaves", async () => {
    const { deps, sent, asked } = world(selfPresence("owner", ["110", "201"]));
    expect(await prepareRoom(deps, ROOM, DETAILS)).toBe("created");
    expect(sent.map((stanza) => `${stanza.attrs.to} ${stanza.attrs.type ?? "available"}`)).toEqual([
      `${ROOM}/invites available`,
      `${ROOM}/invites unavailable`,
    ]);
    expect(sent[0]?.getChild("x", "http://jabber.org/protocol/muc")?.getChild("history")?.attrs.maxstanzas).toBe("0");
    expect(asked[0]?.attrs.to).toBe("conference.example.org");
    const form = asked[1]?.getChild("query", "http://jabber.org/protocol/muc#owner")?.getChild("x");
    const values = Object.fromEntries(
      (form?.getChildren("field") ?? []).map((field) => [field.attrs.var, field.getChildText("value")]),
    );
    expect(values).toEqual({
      FORM_TYPE: "http://jabber.org/protocol/muc#roomconfig",
      "muc#roomconfig_roomname": "Kitchen",
      "muc#roomconfig_roomdesc": "Group chat of the circle Family",
      "muc#roomconfig_persistentroom": "1",
      "muc#roomconfig_membersonly": "1",
      "muc#roomconfig_publicroom": "0",
    });
  });

  it("takes a room that exists when the bot is its owner or admin, and leaves it unchanged", async () => {
    for (const affiliation of ["owner", "admin"]) {
      const { deps, sent, asked } = world(selfPresence(affiliation));
      expect(await prepareRoom(deps, ROOM, DETAILS)).toBe("existing");
      expect(asked).toHaveLength(1);
      expect(sent.at(-1)?.attrs.type).toBe("unavailable");
    }
  });

  it("refuses a room the bot may not manage, and leaves it", async () => {
    for (const affiliation of ["member", "none"]) {
      const { deps, sent } = world(selfPresence(affiliation));
      await expect(prepareRoom(deps, ROOM, DETAILS)).rejects.toSatisfy((e) => codeOf(e) === "circle-room-not-owner");
      expect(sent.at(-1)?.attrs.type).toBe("unavailable");
    }
  });

  it("turns each refusal into the catalogue's code, the room named", async () => {
    for (const [condition, expected] of [
      ["registration-required", "circle-room-not-owner"],
      ["forbidden", "circle-room-forbidden"],
      ["not-allowed", "circle-room-forbidden"],
      ["remote-server-not-found", "circle-room-unreachable"],
      ["conflict", "circle-room-failed"],
    ] as const) {
      const { deps } = world(refusal(condition));
      const error = await prepareRoom(deps, ROOM, DETAILS).catch((caught: unknown) => caught);
      expect(codeOf(error), condition).toBe(expected);
      expect((error as InviteError).params.name).toBe(ROOM);
    }
  });

  it("says when the address is on no MUC service, the room does not answer, or the form is refused", async () => {
    const notMuc = world(selfPresence("owner"), { service: xml("iq", { type: "error" }) });
    await expect(prepareRoom(notMuc.deps, ROOM, DETAILS)).rejects.toSatisfy(
      (e) => codeOf(e) === "circle-room-unreachable",
    );
    expect(notMuc.sent).toEqual([]);
    await expect(prepareRoom(world(undefined).deps, ROOM, DETAILS)).rejects.toSatisfy(
      (e) => codeOf(e) === "circle-room-timeout",
    );
    const refused = world(selfPresence("owner", ["110", "201"]), { configured: "error" });
    const error = await prepareRoom(refused.deps, ROOM, DETAILS).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "circle-room-failed", params: { name: ROOM, reason: "not-acceptable" } });
    expect(refused.sent.at(-1)?.attrs.type).toBe("unavailable");
  });
});
