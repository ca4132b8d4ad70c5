import { describe, expect, it } from "vitest";
import { helpReply, hintReply, inviteReply } from "../../../src/commands/chat-text.js";
import type { CreatedInvite, Invite } from "../../../src/invites/invite.js";

const NOW = Date.UTC(2026, 10, 27, 1, 59, 2);
const invite: Invite = {
  type: "roster",
  jid: "alice@example.org",
  token: "T".repeat(24),
  allow_registration: true,
  uri: `xmpp:alice@example.org?roster;preauth=${"T".repeat(24)};ibr=y`,
  created_at: NOW / 1000,
  expires: NOW / 1000 + 604_800,
  reusable: false,
};

describe("chat replies", () => {
  it("gives the landing link, the xmpp: URI and the expiry in words", () => {
    const created: CreatedInvite = { invite, landingUrl: "https://example.org/invite?TTT" };
    expect(inviteReply(created, "example.org", () => NOW)).toBe(
      [
        "Here is your invite:",
        "https://example.org/invite?TTT",
        `XMPP clients can also open: ${invite.uri}`,
        "It can be used once and expires in 1 week, until Fri, 04 Dec 2026 01:59 UTC.",
        "Whoever uses it can create an account on example.org and becomes your contact.",
      ].join("\n"),
    );
  });

  it("does not repeat the URI when there is no landing page", () => {
    const created: CreatedInvite = { invite: { ...invite, allow_registration: false }, landingUrl: invite.uri };
    const text = inviteReply(created, "example.org", () => NOW);
    expect(text.split(invite.uri)).toHaveLength(2);
    expect(text).toContain("they need an XMPP account already");
  });

  it("explains an account invite", () => {
    const account: Invite = { ...invite, type: "register", jid: "example.org" };
    expect(inviteReply({ invite: account, landingUrl: account.uri }, "example.org", () => NOW)).toMatch(
      /^Here is an account invite:[\s\S]*create an account on example\.org\.$/u,
    );
  });

  it("says plainly when there is nothing for this user", () => {
    expect(helpReply("example.org", [])).toBe(
      "I create invites for users of example.org, so there is nothing I can do for you, sorry.",
    );
    expect(hintReply("example.org", false)).toContain("only create invites for users of example.org");
    expect(hintReply("example.org", true)).toContain('Send "invite"');
  });
});
