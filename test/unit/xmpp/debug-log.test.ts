/** The XMPP_DEBUG trace: never throws, whatever the stanza, and never shows a whole token. */
import { Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { landingPage } from "../../../src/invites/uri.js";
import { redactTokens, traceCopy } from "../../../src/xmpp/debug-log.js";

const TOKEN = "AbCdEfGhIjKlMnOpQrStUv_-";
const URI = `xmpp:alice@example.org?roster;preauth=${TOKEN};ibr=y`;

function nested(depth: number): Element {
  const root = new Element("message", { to: "bot@example.org" });
  let at = root;
  for (let i = 0; i < depth; i += 1) {
    const child = new Element("x");
    at.cnode(child);
    at = child;
  }
  at.t(`deep ${TOKEN}`);
  return root;
}

describe("traceCopy", () => {
  it("copies a message 12,000 elements deep without recursing, cut off deep down", () => {
    const copy = traceCopy(nested(12_000));
    const text = copy.toString();
    expect(text).toContain("[deeper elements not shown]");
    expect(text.length).toBeLessThan(2_000);
    expect(text).not.toContain(TOKEN);
  });

  it("keeps an ordinary stanza as it is, tokens shortened", () => {
    const stanza = xml("iq", { type: "result" }, xml("x", { xmlns: "jabber:x:data" }, xml("value", {}, URI)));
    expect(traceCopy(stanza).toString()).toBe(
      '<iq type="result"><x xmlns="jabber:x:data"><value>xmpp:alice@example.org?roster;preauth=AbCd…;ibr=y</value></x></iq>',
    );
  });
});

describe("redactTokens", () => {
  it("shortens a token in every INVITE_PAGE form: {token}, {uri} (URL-encoded), encoded twice", () => {
    for (const template of [
      "https://example.org/invite?{token}",
      "https://example.org/i/{token}/",
      "https://example.org/invite?uri={uri}",
      "https://example.org/go?to=https%3A%2F%2Fexample.org%2Finvite%3Furi%3D{uri}",
    ]) {
      const page = landingPage(template, { token: TOKEN, uri: URI, host: "example.org" });
      const shown = template.includes("%3D")
        ? redactTokens(page.replace("{uri}", encodeURIComponent(encodeURIComponent(URI))))
        : redactTokens(page);
      expect(shown, template).not.toContain(TOKEN);
      expect(shown, template).toContain("AbCd…");
    }
    const twice = redactTokens(`x=${encodeURIComponent(encodeURIComponent(URI))}`);
    expect(twice).not.toContain(TOKEN);
  });
});
