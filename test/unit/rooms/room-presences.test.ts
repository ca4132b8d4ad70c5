import type { Client } from "@xmpp/client";
import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { roomPresences } from "../../../src/rooms/room-presences.js";

const MUC_USER = "http://jabber.org/protocol/muc#user";

/** A client whose middleware chain is this one handler; `deliver` says whether the stanza went on down the chain. */
function client() {
  let handler: ((ctx: { stanza: Element }, next: () => unknown) => unknown) | undefined;
  const use = (fn: typeof handler): void => {
    handler = fn;
  };
  const xmpp = { middleware: { use } } as unknown as Client;
  const deliver = (stanza: Element): boolean => {
    let passed = false;
    handler?.({ stanza }, () => {
      passed = true;
    });
    return passed;
  };
  return { xmpp, deliver };
}

const occupant = (from: string, codes: readonly string[] = [], type?: string) =>
  xml("presence", { from, type }, xml("x", { xmlns: MUC_USER }, ...codes.map((code) => xml("status", { code }))));

describe("roomPresences", () => {
  it("takes the bot's self-presence (status 110) out of the chain, letting the other occupants' pass", async () => {
    const { xmpp, deliver } = client();
    const waiting = roomPresences(xmpp).expect("hall@muc.example.org", "invites", 1_000);
    expect(deliver(occupant("hall@muc.example.org/alice"))).toBe(true);
    expect(deliver(occupant("other@muc.example.org/invites", ["110"]))).toBe(true);
    // The room changed the nick (XEP-0045 §7.2.9): 110 still marks it as the bot's own.
    const self = occupant("Hall@muc.example.org/invites2", ["110", "210"]);
    expect(deliver(self)).toBe(false);
    expect(await waiting).toBe(self);
  });

  it("takes an error for the bot's nick, and answers undefined when nothing came in time", async () => {
    const { xmpp, deliver } = client();
    const presences = roomPresences(xmpp);
    const refused = presences.expect("hall@muc.example.org", "invites", 1_000);
    const error = xml("presence", { from: "hall@muc.example.org/invites", type: "error" }, xml("error"));
    expect(deliver(error)).toBe(false);
    expect(await refused).toBe(error);
    expect(await presences.expect("quiet@muc.example.org", "invites", 10)).toBeUndefined();
    expect(deliver(occupant("quiet@muc.example.org/invites", ["110"]))).toBe(true);
  });
});
