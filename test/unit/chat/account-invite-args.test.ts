import { describe, expect, it } from "vitest";
import { parseAccountInviteArgs } from "../../../src/chat/account-invite-args.js";

describe("parseAccountInviteArgs", () => {
  it("reads circles (a quoted name of several words) and group chats, beside a note", () => {
    expect(parseAccountInviteArgs('to Family to "Chess club" chat hall@conference.example.org "for Zoe" 1w')).toEqual({
      raw: {
        circles: ["Family", "Chess club"],
        rooms: ["hall@conference.example.org"],
        note: "for Zoe",
        ttlSeconds: 604_800,
      },
    });
  });

  it("reads a role by its words, keeping an unknown word for validation to refuse", () => {
    expect(parseAccountInviteArgs("as limited")).toEqual({ raw: { role: "prosody:guest" } });
    expect(parseAccountInviteArgs("as Admin 1d")).toEqual({ raw: { role: "prosody:admin", ttlSeconds: 86_400 } });
    expect(parseAccountInviteArgs("as boss")).toEqual({ raw: { role: "boss" } });
  });

  it("reads nothing from nothing", () => {
    expect(parseAccountInviteArgs("")).toEqual({ raw: {} });
  });

  it("reads the issue's example", () => {
    expect(parseAccountInviteArgs('1d 5 uses "for the chess club"')).toEqual({
      raw: { ttlSeconds: 86_400, maxUses: "5", note: "for the chess club" },
    });
  });

  it("reads every option in any order and case", () => {
    expect(parseAccountInviteArgs("CONTACT 4W for Bob 1 use “typographic quotes”")).toEqual({
      raw: {
        rosterSubscription: true,
        ttlSeconds: 2_419_200,
        username: "Bob",
        maxUses: "1",
        note: "typographic quotes",
      },
    });
  });

  it.each([
    ["1h", 3_600],
    ["1d", 86_400],
    ["1w", 604_800],
    ["4w", 2_419_200],
  ])("reads %s", (word, seconds) => {
    expect(parseAccountInviteArgs(word)).toEqual({ raw: { ttlSeconds: seconds } });
  });

  it("leaves range checks to validation", () => {
    expect(parseAccountInviteArgs("500 times")).toEqual({ raw: { maxUses: "500" } });
  });

  it.each(["2d", "please", "5", "for", "uses"])("names the word it does not understand: %s", (text) => {
    expect(parseAccountInviteArgs(text).error).toMatch(/^I did not understand "[^"]+"\. Try: invite account /u);
  });
});
