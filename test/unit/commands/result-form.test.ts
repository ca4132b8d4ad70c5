import { describe, expect, it } from "vitest";
import { inviteResultForm } from "../../../src/commands/result-form.js";
import type { CreatedInvite } from "../../../src/invites/invite.js";

const created: CreatedInvite = {
  invite: {
    type: "roster",
    jid: "alice@example.org",
    token: "T".repeat(24),
    allow_registration: false,
    uri: `xmpp:alice@example.org?roster;preauth=${"T".repeat(24)}`,
    created_at: 1_795_744_742,
    expires: 1_796_349_542,
    reusable: false,
  },
  landingUrl: "https://example.org/invite?TTTT",
};

describe("inviteResultForm", () => {
  it("is Prosody's result form with the XEP-0401 FORM_TYPE, byte for byte", () => {
    expect(inviteResultForm(created).toString()).toBe(
      [
        '<x xmlns="jabber:x:data" type="result">',
        "<title>Your invite has been created</title>",
        '<field type="hidden" var="FORM_TYPE"><value>urn:xmpp:invite#invitation</value></field>',
        '<field type="text-single" var="landing-url" label="Invite web page"><desc>Share this link</desc>',
        "<value>https://example.org/invite?TTTT</value></field>",
        '<field type="text-single" var="uri" label="Invite URI">',
        "<desc>This alternative link can be opened with some XMPP clients</desc>",
        `<value>xmpp:alice@example.org?roster;preauth=${"T".repeat(24)}</value></field>`,
        '<field type="text-single" var="expire" label="Invite valid until"><value>2026-12-04T01:59:02Z</value></field>',
        "</x>",
      ].join(""),
    );
  });
});
