import { describe, expect, it } from "vitest";
import { capsVersion } from "../../../src/xmpp/caps.js";

describe("capsVersion", () => {
  it("matches the XEP-0115 §5.2 simple example", () => {
    const ver = capsVersion(
      [{ category: "client", type: "pc", name: "Exodus 0.9.1" }],
      [
        "http://jabber.org/protocol/caps",
        "http://jabber.org/protocol/disco#info",
        "http://jabber.org/protocol/disco#items",
        "http://jabber.org/protocol/muc",
      ],
    );
    expect(ver).toBe("QgayPKawpkPSDYmwT/WM94uAlu0=");
  });

  it("does not depend on the order of features", () => {
    const identities = [{ category: "client", type: "bot" }];
    expect(capsVersion(identities, ["b", "a"])).toBe(capsVersion(identities, ["a", "b"]));
  });
});
