import { describe, expect, it } from "vitest";
import { parseContactInviteArgs } from "../../../src/chat/contact-invite-args.js";

describe("`invite [uses N]`", () => {
  it("reads nothing as the default, and uses N in any case", () => {
    expect(parseContactInviteArgs("")).toEqual({});
    expect(parseContactInviteArgs(" uses 3 ")).toEqual({ maxUses: 3 });
    expect(parseContactInviteArgs("USES 12")).toEqual({ maxUses: 12 });
  });

  it("refuses anything else, saying what it takes, rather than make an invite the user did not ask for", () => {
    for (const text of ["uses", "uses three", "for 3", "uses 3 please", "uses -1"]) {
      expect(parseContactInviteArgs(text)).toEqual({
        error: 'Nothing was created: say "invite", or "invite uses N" for an invite N people can use.',
      });
    }
  });
});
