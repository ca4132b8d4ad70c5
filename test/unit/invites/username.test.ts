import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { InviteError } from "../../../src/errors.js";
import { ProtectedNames, skeleton } from "../../../src/invites/lookalikes.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { InviteService } from "../../../src/invites/service.js";
import { checkUsername, MAX_USERNAME_BYTES, usernameRuleFor } from "../../../src/invites/username.js";
import { normaliseLocal } from "../../../src/jid.js";
import { accountOn } from "../../../src/registration/account-jid.js";
import { MemoryInviteStore } from "../../../src/storage/memory-store.js";

const refused = (typed: string, rule = {}) => {
  const checked = checkUsername(typed, rule);
  if (checked.ok) throw new Error(`"${typed}" was allowed as "${checked.username}"`);
  return checked;
};

const allowed = (typed: string, rule = {}) => {
  const checked = checkUsername(typed, rule);
  if (!checked.ok) throw new Error(checked.reason);
  return checked.username;
};

describe("folding, as the servers' nodeprep does it", () => {
  it("gives nodeprep's answer for every code point Unicode 3.2 maps (Prosody's and ejabberd's tables)", () => {
    const lines = readFileSync(new URL("../../fixtures/nodeprep-mappings.txt", import.meta.url), "utf8")
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(lines.length).toBeGreaterThan(5000);
    const wrong = lines.filter((line) => {
      const [from, to] = line.split("\t");
      const expected = (to ?? "")
        .split(" ")
        .map((hex) => String.fromCodePoint(Number.parseInt(hex, 16)))
        .join("");
      return normaliseLocal(String.fromCodePoint(Number.parseInt(from ?? "", 16))) !== expected;
    });
    expect(wrong).toEqual([]);
  });

  it("folds ß to ss, final sigma to sigma and full-width letters to plain ones", () => {
    expect(allowed("Straße")).toBe("strasse");
    expect(allowed("ΟΔΥΣΣΕΥΣ")).toBe("οδυσσευσ");
    expect(allowed("οδυσσευς")).toBe("οδυσσευσ");
    expect(allowed("ｆｒａｎｋ")).toBe("frank");
  });

  it("is idempotent for every code point: a folded name folds to itself", () => {
    const moved: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const once = normaliseLocal(String.fromCodePoint(cp));
      if (normaliseLocal(once) !== once) moved.push(cp.toString(16));
    }
    expect(moved).toEqual([]);
  });
});

describe("the username rule", () => {
  it("allows letters and digits of any script and ASCII punctuation such as . - _", () => {
    expect(allowed("  Alice.Smith ")).toBe("alice.smith");
    expect(allowed("jean-pierre_2")).toBe("jean-pierre_2");
    expect(allowed("björn")).toBe("björn");
    expect(allowed("владимир")).toBe("владимир");
    expect(allowed("東京")).toBe("東京");
    expect(allowed("col·lega")).toBe("col·lega");
  });

  it.each([
    ["victim＠other.test／", '"@"', "＠"],
    ["victim﹫other.test", '"@"', "﹫"],
    ["other.test／", '"/"', "／"],
    ["a:b", '":"', undefined],
    ['a"b', "'\"'", undefined],
  ])("refuses %s, which folds into a character no local part may have", (typed, what, source) => {
    const checked = refused(typed);
    expect(checked.problem).toBe("not-allowed");
    expect(checked.reason).toContain(`it contains ${what.replace(/^'|'$/gu, "")}`);
    if (source !== undefined) expect(checked.reason).toContain(`(typed as "${source}")`);
  });

  it.each([
    ["bo\u00adb2", "U+00AD"],
    ["bob\u200b", "U+200B"],
    ["evil\u202egnp", "U+202E"],
    ["zw\u200dj", "U+200D"],
    ["nul\u0000", "U+0000"],
    ["priv\ue000", "U+E000"],
  ])("refuses %j with an invisible character (%s) rather than letting the server drop it", (typed, code) => {
    expect(refused(typed).reason).toContain(code);
  });

  it.each(["a b", "a\u00a0b", "a\u3000b"])("refuses a space in %j", (typed) => {
    expect(refused(typed).reason).toContain("a space");
  });

  it.each(["snow☃", "heart♥", "euro€", "math∑", "quote«", "dash—x", "a\u20ddb"])(
    "refuses %j: symbols and punctuation beyond ASCII's",
    (typed) => {
      expect(refused(typed).problem).toBe("not-allowed");
    },
  );

  it("refuses the characters RFC 5892 disallows although they are letters (tatweel, old Hangul jamo)", () => {
    expect(refused("ا\u0640ب").problem).toBe("not-allowed");
    expect(refused("a\u1100").problem).toBe("not-allowed");
  });

  it("allows a middle dot only between two l (Catalan), as RFC 5892 Appendix A.3 says", () => {
    expect(refused("a·b").problem).toBe("not-allowed");
  });

  it("holds right-to-left names to the Bidi Rule", () => {
    expect(allowed("שלום")).toBe("שלום");
    expect(allowed("مرحبا1")).toBe("مرحبا1");
    expect(refused("abcשלום").problem).toBe("not-allowed");
    expect(refused("שלוםabc").problem).toBe("not-allowed");
    expect(refused("1שלום").problem).toBe("not-allowed");
    expect(refused("مرحبا1٢").problem).toBe("not-allowed");
  });

  it("folds before judging: a compatibility form becomes what it stands for", () => {
    expect(allowed("ⅻ")).toBe("xii");
    expect(allowed("\u1100\u1161")).toBe("가");
  });

  it("refuses an empty name", () => {
    expect(refused("   ").problem).toBe("missing");
    expect(refused("").reason).toBe("A username is required");
  });

  it(`caps the folded name at ${MAX_USERNAME_BYTES} bytes, what Prosody's file storage holds`, () => {
    expect(allowed("_".repeat(MAX_USERNAME_BYTES))).toHaveLength(MAX_USERNAME_BYTES);
    expect(allowed(`${"é".repeat(41)}_`)).toHaveLength(42);
    expect(refused("_".repeat(MAX_USERNAME_BYTES + 1)).problem).toBe("too-long");
    expect(refused("é".repeat(100)).reason).toContain("200 bytes long");
    expect(refused("a".repeat(300)).problem).toBe("too-long");
    // Measured after folding: 42 full-width letters are 126 bytes typed, 42 folded.
    expect(allowed("ａ".repeat(42))).toBe("a".repeat(42));
  });
});

describe("lookalikes of protected names (UTS #39)", () => {
  const rule = usernameRuleFor(
    {
      domain: "example.org",
      admins: new Set(["admin@example.org", "boss@elsewhere.org"]),
      botJid: "invites@example.org",
    },
    true,
  );

  it("gives Cyrillic and Latin lookalikes one skeleton", () => {
    expect(skeleton("аdmin")).toBe(skeleton("admin"));
    expect(skeleton("pаypаl")).toBe(skeleton("paypal"));
    expect(skeleton("alice")).not.toBe(skeleton("admin"));
  });

  it("refuses an admin's name on this domain, the bot's, and names that look like them", () => {
    for (const typed of ["admin", "аdmin", "ADMIN", "аdmіn", "invites", "іnvitеs"]) {
      expect(refused(typed, rule).problem, typed).toBe("lookalike");
    }
    expect(refused("аdmin", rule).reason).toContain('looks like, "admin"');
  });

  it("leaves other names alone, and admins of other domains", () => {
    expect(allowed("alice", rule)).toBe("alice");
    expect(allowed("boss", rule)).toBe("boss");
    expect(allowed("administrator", rule)).toBe("administrator");
  });

  it("checks nothing of the kind when turned off (USERNAME_CONFUSABLES=false)", () => {
    const off = usernameRuleFor({ domain: "example.org", admins: new Set(["admin@example.org"]) }, false);
    expect(allowed("аdmin", off)).toBe("аdmin");
    expect(new ProtectedNames([]).lookalikeOf("admin")).toBeUndefined();
  });
});

describe("the account JID sent to the server", () => {
  it("is the folded name at the domain, with nothing else", () => {
    expect(accountOn("localhost", "Straße")).toEqual({ name: "strasse", jid: "strasse@localhost" });
  });

  it.each(["victim＠other.test／", "other.test／", "x/y", "x@y", "bo\u00adb2", "a\\20b c"])(
    "is never built for %j",
    (typed) => {
      expect(accountOn("localhost", typed)).toBeUndefined();
    },
  );

  it("applies the lookalike rule it is given", () => {
    const rule = usernameRuleFor({ domain: "localhost", admins: new Set(["admin@localhost"]) }, true);
    expect(accountOn("localhost", "аdmin", rule)).toBeUndefined();
    expect(accountOn("localhost", "аdmin")).toEqual({ name: "аdmin", jid: "аdmin@localhost" });
  });
});

describe("invites bound to a username, and reset links", () => {
  const policy = {
    domain: "example.org",
    admins: new Set(["admin@example.org"]),
    allowUserInvites: false,
    allowContactInvites: true,
  };
  const service = new InviteService({
    store: new MemoryInviteStore(),
    policy,
    ttlSeconds: 3600,
    invitePage: undefined,
    usernameRule: usernameRuleFor(policy, true),
  });
  const admin = actorFor("admin@example.org", policy);

  it("are made for the folded name only", async () => {
    const { invite } = await service.createAccountInvite(admin, "admin@example.org/x", { username: "Straße" });
    expect(invite.jid).toBe("strasse@example.org");
  });

  it.each(["victim＠other.example", "bo\u00adb2", "аdmin", "_".repeat(84)])("are refused for %j", async (username) => {
    const made = service.createAccountInvite(admin, "admin@example.org/x", { username });
    await expect(made).rejects.toMatchObject({ code: "username-not-allowed" });
    await made.catch((error: InviteError) => expect(error.params.reason).toContain("cannot be a username"));
  });

  it("reset links judge the account's name by the rule without lookalikes: an admin may reset their own", async () => {
    const own = await service.createPasswordResetInvite(admin, "admin@example.org/x", "admin@example.org");
    expect(own.invite.jid).toBe("admin@example.org");
    await expect(
      service.createPasswordResetInvite(admin, "admin@example.org/x", `${"_".repeat(84)}@example.org`),
    ).rejects.toMatchObject({ code: "username-not-allowed" });
  });
});
