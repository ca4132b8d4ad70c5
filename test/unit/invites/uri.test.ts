import { describe, expect, it } from "vitest";
import { accountInviteUri, contactInviteUri, encodeLocalPart, landingPage } from "../../../src/invites/uri.js";

const TOKEN = "AbCdEfGhIjKlMnOpQrStUv_-";

describe("invite URIs", () => {
  it("builds an account invite URI", () => {
    expect(accountInviteUri("example.org", TOKEN)).toBe(`xmpp:example.org?register;preauth=${TOKEN}`);
  });

  it("builds a username-bound account invite URI", () => {
    expect(accountInviteUri("example.org", TOKEN, "bob")).toBe(`xmpp:bob@example.org?register;preauth=${TOKEN}`);
  });

  it("builds a contact invite URI without ibr when it does not allow registration", () => {
    expect(contactInviteUri("alice", "example.org", TOKEN, false)).toBe(
      `xmpp:alice@example.org?roster;preauth=${TOKEN}`,
    );
  });

  it("adds ;ibr=y when the contact invite allows registration", () => {
    expect(contactInviteUri("alice", "example.org", TOKEN, true)).toBe(
      `xmpp:alice@example.org?roster;preauth=${TOKEN};ibr=y`,
    );
  });

  it("percent-encodes local parts that would break the URI (RFC 5122 §2.2)", () => {
    expect(encodeLocalPart("a;b?c#d=e%f")).toBe("a%3Bb%3Fc%23d%3De%25f");
    expect(encodeLocalPart("zoë")).toBe("zo%C3%AB");
    expect(encodeLocalPart("plain.name-1_x")).toBe("plain.name-1_x");
  });
});

describe("landingPage", () => {
  it("fills {token}, {host} and a percent-encoded {uri}", () => {
    const uri = `xmpp:alice@example.org?roster;preauth=${TOKEN}`;
    expect(landingPage("https://{host}/invite?{token}", { token: TOKEN, uri, host: "example.org" })).toBe(
      `https://example.org/invite?${TOKEN}`,
    );
    expect(landingPage("https://i.example/#{uri}", { token: TOKEN, uri, host: "example.org" })).toBe(
      `https://i.example/#${encodeURIComponent(uri)}`,
    );
  });
});
