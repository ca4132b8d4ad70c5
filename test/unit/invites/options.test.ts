import { describe, expect, it } from "vitest";
import {
  EXPIRY_CHOICES,
  MAX_NOTE_LENGTH,
  MAX_USES,
  validateAccountInviteOptions,
} from "../../../src/invites/options.js";
import { usernameRuleFor } from "../../../src/invites/username.js";

const DEFAULT_TTL = 604_800;
const LIFETIME_PROBLEM = "Choose a lifetime of 1 hour, 1 day, 1 week, 4 weeks";

describe("validateAccountInviteOptions", () => {
  it("takes one of Prosody 13's roles, the default as no role, and refuses any other", () => {
    expect(validateAccountInviteOptions({ role: "prosody:guest" }, 604_800).options).toEqual({ role: "prosody:guest" });
    expect(validateAccountInviteOptions({ role: "prosody:registered" }, 604_800).options).toEqual({});
    expect(validateAccountInviteOptions({ role: "boss" }, 604_800).problems).toEqual([
      'There is no role "boss": choose Normal, Limited, Member or Administrator (in chat: as limited)',
    ]);
  });

  it("gives empty options for empty input", () => {
    expect(validateAccountInviteOptions({}, DEFAULT_TTL)).toEqual({ options: {}, problems: [] });
  });

  it("drops fields left blank or only spaces", () => {
    expect(validateAccountInviteOptions({ username: "  ", maxUses: " ", note: "\t " }, DEFAULT_TTL)).toEqual({
      options: {},
      problems: [],
    });
  });

  it("folds a username the way the server's nodeprep will: full-width letters become plain ones", () => {
    expect(validateAccountInviteOptions({ username: "ｆｒａｎｋ" }, DEFAULT_TTL)).toEqual({
      options: { username: "frank" },
      problems: [],
    });
    expect(validateAccountInviteOptions({ username: "Ｆｒａｎｋ２" }, DEFAULT_TTL)).toEqual({
      options: { username: "frank2" },
      problems: [],
    });
  });

  it("trims and lower-cases the username", () => {
    expect(validateAccountInviteOptions({ username: "  Alice.Smith " }, DEFAULT_TTL)).toEqual({
      options: { username: "alice.smith" },
      problems: [],
    });
  });

  it.each([
    ["bad name", `"bad name" cannot be a username: it contains a space`],
    [
      "alice@example.org",
      `"alice@example.org" cannot be a username: it contains "@", which no address may have in its name`,
    ],
    ["a/b", `"a/b" cannot be a username: it contains "/", which no address may have in its name`],
    ['say"hi', `"say"hi" cannot be a username: it contains """, which no address may have in its name`],
    ["o'brien", `"o'brien" cannot be a username: it contains "'", which no address may have in its name`],
    [
      "victim＠other.test／",
      `"victim＠other.test／" cannot be a username: it contains "@", which no address may have in its name (typed as "＠")`,
    ],
    [
      "bo\u00adb2",
      `"bo\u00adb2" cannot be a username: it contains an invisible, unassigned or private character (U+00AD)`,
    ],
  ])("refuses the username %j", (username, problem) => {
    expect(validateAccountInviteOptions({ username }, DEFAULT_TTL)).toEqual({ problems: [problem] });
  });

  it("refuses a lookalike of an admin's name with the server's username rule", () => {
    const rule = usernameRuleFor({ domain: "example.org", admins: new Set(["admin@example.org"]) }, true);
    expect(validateAccountInviteOptions({ username: "аdmin" }, DEFAULT_TTL, rule).problems).toEqual([
      `"аdmin" cannot be a username: it is, or looks like, "admin", the name of an administrator or of the bot`,
    ]);
    expect(validateAccountInviteOptions({ username: "аdmin" }, DEFAULT_TTL).options).toEqual({ username: "аdmin" });
  });

  it("quotes the username as entered, before trimming, in the problem", () => {
    expect(validateAccountInviteOptions({ username: " Bad Name " }, DEFAULT_TTL).problems).toEqual([
      `" Bad Name " cannot be a username: it contains a space`,
    ]);
  });

  it.each([
    ["1", 1],
    ["7", 7],
    [" 42 ", 42],
    [String(MAX_USES), 100],
  ])("accepts %j uses", (maxUses, expected) => {
    expect(validateAccountInviteOptions({ maxUses }, DEFAULT_TTL)).toEqual({
      options: { maxUses: expected },
      problems: [],
    });
  });

  it.each(["0", "101", "abc", "1.5", "-3", "1e2", "0x10", "99999999999999999999"])("refuses %j uses", (maxUses) => {
    expect(validateAccountInviteOptions({ maxUses }, DEFAULT_TTL)).toEqual({
      problems: [`The number of uses must be from 1 to 100, not "${maxUses}"`],
    });
  });

  it("quotes the trimmed number of uses in the problem", () => {
    expect(validateAccountInviteOptions({ maxUses: "  0 " }, DEFAULT_TTL).problems).toEqual([
      'The number of uses must be from 1 to 100, not "0"',
    ]);
  });

  it.each(EXPIRY_CHOICES.map((choice) => [choice.label, choice.seconds] as const))(
    "accepts the lifetime %s",
    (_label, ttlSeconds) => {
      expect(validateAccountInviteOptions({ ttlSeconds }, 172_800)).toEqual({ options: { ttlSeconds }, problems: [] });
    },
  );

  it("accepts the default lifetime even when it is not one of the choices", () => {
    expect(validateAccountInviteOptions({ ttlSeconds: 172_800 }, 172_800)).toEqual({
      options: { ttlSeconds: 172_800 },
      problems: [],
    });
  });

  it.each([172_800, 0, -3_600, 3_601, Number.NaN])("refuses the lifetime %d", (ttlSeconds) => {
    expect(validateAccountInviteOptions({ ttlSeconds }, DEFAULT_TTL)).toEqual({ problems: [LIFETIME_PROBLEM] });
  });

  it("trims the note", () => {
    expect(validateAccountInviteOptions({ note: "  for the choir  " }, DEFAULT_TTL)).toEqual({
      options: { note: "for the choir" },
      problems: [],
    });
  });

  it("accepts a note of exactly the maximum length", () => {
    const note = "n".repeat(MAX_NOTE_LENGTH);
    expect(validateAccountInviteOptions({ note }, DEFAULT_TTL)).toEqual({ options: { note }, problems: [] });
  });

  it("refuses a note longer than the maximum, counting after trimming", () => {
    expect(validateAccountInviteOptions({ note: `  ${"n".repeat(201)}  ` }, DEFAULT_TTL)).toEqual({
      problems: ["The note is too long (201 characters, at most 200)"],
    });
    expect(validateAccountInviteOptions({ note: `   ${"n".repeat(200)}   ` }, DEFAULT_TTL).problems).toEqual([]);
  });

  it("reports every problem at once, in field order", () => {
    expect(
      validateAccountInviteOptions(
        { username: "a b", rosterSubscription: true, ttlSeconds: 5, maxUses: "0", note: "x".repeat(300) },
        DEFAULT_TTL,
      ),
    ).toEqual({
      problems: [
        `"a b" cannot be a username: it contains a space`,
        'The number of uses must be from 1 to 100, not "0"',
        LIFETIME_PROBLEM,
        "The note is too long (300 characters, at most 200)",
      ],
    });
  });

  it("sets rosterSubscription only when it is true", () => {
    expect(validateAccountInviteOptions({ rosterSubscription: true }, DEFAULT_TTL).options).toEqual({
      rosterSubscription: true,
    });
    const off = validateAccountInviteOptions({ rosterSubscription: false }, DEFAULT_TTL).options;
    expect(off).toEqual({});
    expect(off).not.toHaveProperty("rosterSubscription");
  });

  it("returns every valid option together", () => {
    expect(
      validateAccountInviteOptions(
        { username: "Bob", rosterSubscription: true, ttlSeconds: 3_600, maxUses: "3", note: " team " },
        DEFAULT_TTL,
      ),
    ).toEqual({
      options: { username: "bob", rosterSubscription: true, ttlSeconds: 3_600, maxUses: 3, note: "team" },
      problems: [],
    });
  });
});
