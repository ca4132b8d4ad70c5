import { describe, expect, it } from "vitest";
import { bareJid, isValidDomain, isValidLocal, normaliseBareJid, normaliseLocal, parseBareJid } from "../../src/jid.js";

describe("isValidDomain", () => {
  it("takes host names of letters, digits and inner hyphens, internationalised ones too", () => {
    for (const domain of [
      "example.org",
      "localhost",
      "a-b.example",
      "xn--bcher-kva.example",
      "bücher.example",
      "1.2",
    ]) {
      expect(isValidDomain(domain), domain).toBe(true);
    }
  });

  it("refuses empty labels, edge hyphens, other characters and overlong names", () => {
    for (const domain of ["", "example..org", ".example", "-a.example", "a-.example", "ex ample", "a_b.example"]) {
      expect(isValidDomain(domain), domain).toBe(false);
    }
    expect(isValidDomain(`${"a".repeat(63)}.org`)).toBe(true);
    expect(isValidDomain(`${"a".repeat(64)}.org`)).toBe(false);
    expect(isValidDomain(Array.from({ length: 64 }, () => "abc").join("."))).toBe(false);
  });
});

describe("isValidLocal", () => {
  it("refuses what RFC 7622 forbids in a local part, and more than 1023 bytes", () => {
    expect(isValidLocal("alice.o-k_99")).toBe(true);
    expect(isValidLocal("zoë")).toBe(true);
    for (const local of ["", "a b", 'a"b', "a&b", "a'b", "a/b", "a:b", "a<b", "a>b", "a@b", "a\tb"]) {
      expect(isValidLocal(local), local).toBe(false);
    }
    expect(isValidLocal("a".repeat(1023))).toBe(true);
    expect(isValidLocal("é".repeat(512))).toBe(false);
  });
});

describe("normaliseLocal", () => {
  it("folds case and compatibility forms as nodeprep does", () => {
    expect(normaliseLocal("Alice")).toBe("alice");
    expect(normaliseLocal("ｆｒａｎｋ")).toBe("frank");
    expect(normaliseLocal("Straße")).toBe("strasse");
    expect(normaliseLocal("ΣΟΦΟΣ")).toBe(normaliseLocal("σοφος"));
    expect(normaliseLocal("e\u0301")).toBe("é");
  });
});

describe("parseBareJid and normaliseBareJid", () => {
  it("split user@domain, folding the local part and lower-casing the domain", () => {
    expect(parseBareJid("Alice@Example.ORG")).toEqual({ local: "alice", domain: "example.org" });
    expect(normaliseBareJid("ＢＯＢ@example.org")).toBe("bob@example.org");
    // The first @ separates: a second one is in the domain, which refuses it.
    expect(parseBareJid("a@b@example.org")).toBeUndefined();
  });

  it("refuse what is not a bare JID: no local part, a resource, a bad domain or local part", () => {
    for (const text of [
      "example.org",
      "@example.org",
      "alice@",
      "alice@example.org/phone",
      "a b@example.org",
      "alice@exa mple.org",
    ]) {
      expect(parseBareJid(text), text).toBeUndefined();
      expect(normaliseBareJid(text), text).toBeUndefined();
    }
  });
});

describe("bareJid", () => {
  it("drops the resource and lower-cases, without judging the address", () => {
    expect(bareJid("Alice@Example.org/Phone/2")).toBe("alice@example.org");
    expect(bareJid("example.org")).toBe("example.org");
    expect(bareJid("Example.org/x")).toBe("example.org");
  });
});
