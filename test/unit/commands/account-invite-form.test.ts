import { type Element, xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { accountInviteOptionsForm, readAccountInviteOptions } from "../../../src/commands/account-invite-form.js";
import { validateAccountInviteOptions } from "../../../src/invites/options.js";

const NS_DATA = "jabber:x:data";
const NS_VALIDATE = "http://jabber.org/protocol/xdata-validate";
const WEEK = 604_800;

function field(form: Element, name: string): Element {
  const found = form.getChildren("field").find((f) => f.attrs.var === name);
  if (found === undefined) throw new Error(`no field ${name}`);
  return found;
}

function values(form: Element, name: string): string[] {
  return field(form, name)
    .getChildren("value")
    .map((value) => value.getText());
}

function options(form: Element, name: string): Array<[string | undefined, string]> {
  return field(form, name)
    .getChildren("option")
    .map((option) => [option.attrs.label, option.getChildText("value") ?? ""]);
}

/** What a client sends back: every field with its values, in a `type='submit'` form. */
function submitted(fields: Record<string, string[]>, type = "submit"): Element {
  return xml(
    "x",
    { xmlns: NS_DATA, type },
    ...Object.entries(fields).map(([name, vals]) =>
      xml("field", { var: name }, ...vals.map((value) => xml("value", {}, value))),
    ),
  );
}

/** Fills in the form as a client would: each field's current values, then the person's changes. */
function submitBack(form: Element, changes: Record<string, string[]> = {}): Element {
  const fields: Record<string, string[]> = {};
  for (const f of form.getChildren("field")) {
    const name = f.attrs.var;
    if (name !== undefined) fields[name] = f.getChildren("value").map((value) => value.getText());
  }
  return submitted({ ...fields, ...changes });
}

describe("accountInviteOptionsForm", () => {
  it("is a form with a title and instructions", () => {
    const form = accountInviteOptionsForm(WEEK);
    expect(form.is("x", NS_DATA)).toBe(true);
    expect(form.attrs.type).toBe("form");
    expect(form.getChildText("title")).toBe("Create new account invite");
    expect(form.getChildText("instructions")).toBe(
      "Leave everything as it is for a one-time invite. The link is shown on the next page.",
    );
  });

  it("asks for username, contacts, lifetime, uses and note, in that order and with their types", () => {
    const form = accountInviteOptionsForm(WEEK);
    expect(form.getChildren("field").map((f) => [f.attrs.var, f.attrs.type, f.attrs.label])).toEqual([
      ["username", "text-single", "Username (optional)"],
      ["roster-subscription", "boolean", "Add the new user to my contacts"],
      ["expire", "list-single", "Valid for"],
      ["max-uses", "text-single", "How many people may use it (1–100)"],
      ["note", "text-single", "Note (optional)"],
      ["rooms", "jid-multi", "Group chats the new user joins (optional)"],
    ]);
    expect(field(form, "username").getChildText("desc")).toBe("Only this username can be registered with the invite");
    expect(field(form, "note").getChildText("desc")).toBe(
      "What the invite is for, shown in invite lists (at most 200 characters)",
    );
  });

  it("offers the circles it is given, as an optional list-multi before the group chats", () => {
    const form = accountInviteOptionsForm(
      WEEK,
      { circles: ["c2"] },
      {
        circles: [
          { value: "c1", label: "Family" },
          { value: "c2", label: "Chess club" },
        ],
      },
    );
    expect(
      form
        .getChildren("field")
        .map((f) => f.attrs.var)
        .slice(-2),
    ).toEqual(["circles", "rooms"]);
    expect(field(form, "circles").attrs.type).toBe("list-multi");
    expect(values(form, "circles")).toEqual(["c2"]);
    expect(
      field(form, "circles")
        .getChildren("option")
        .map((o) => o.attrs.label),
    ).toEqual(["Family", "Chess club"]);
  });

  it("offers the roles only where the server sets them, Normal first, and reads the one chosen", () => {
    expect(
      accountInviteOptionsForm(WEEK)
        .getChildren("field")
        .map((f) => f.attrs.var),
    ).not.toContain("role");
    const form = accountInviteOptionsForm(WEEK, {}, { roles: true });
    expect(values(form, "role")).toEqual(["prosody:registered"]);
    expect(
      field(form, "role")
        .getChildren("option")
        .map((o) => o.attrs.label),
    ).toEqual(["Normal", "Limited", "Member", "Administrator"]);
    expect(readAccountInviteOptions(submitBack(form, { role: ["prosody:guest"] })).role).toBe("prosody:guest");
  });

  it("reads the circles and group chats chosen, leaving out empty values", () => {
    const form = accountInviteOptionsForm(WEEK, {}, { circles: [{ value: "c1", label: "Family" }] });
    const entered = readAccountInviteOptions(
      submitBack(form, { circles: ["c1"], rooms: ["hall@conference.example.org", ""] }),
    );
    expect(entered).toMatchObject({ circles: ["c1"], rooms: ["hall@conference.example.org"] });
  });

  it("marks no field as required", () => {
    const form = accountInviteOptionsForm(WEEK);
    expect(form.getChildren("field").filter((f) => f.getChild("required") !== undefined)).toEqual([]);
  });

  it("defaults to a one-time invite for the default lifetime, no username, no contact, no note", () => {
    const form = accountInviteOptionsForm(WEEK);
    expect(values(form, "username")).toEqual([]);
    expect(values(form, "roster-subscription")).toEqual(["0"]);
    expect(values(form, "expire")).toEqual(["604800"]);
    expect(values(form, "max-uses")).toEqual(["1"]);
    expect(values(form, "note")).toEqual([]);
  });

  it("offers the lifetime choices, and no extra one when the default is among them", () => {
    expect(options(accountInviteOptionsForm(WEEK), "expire")).toEqual([
      ["1 hour", "3600"],
      ["1 day", "86400"],
      ["1 week", "604800"],
      ["4 weeks", "2419200"],
    ]);
    expect(options(accountInviteOptionsForm(3_600), "expire")).toHaveLength(4);
  });

  it("adds a default lifetime that is not a choice as an extra option, in words", () => {
    const form = accountInviteOptionsForm(172_800);
    expect(options(form, "expire")).toEqual([
      ["1 hour", "3600"],
      ["1 day", "86400"],
      ["1 week", "604800"],
      ["4 weeks", "2419200"],
      ["2 days", "172800"],
    ]);
    expect(values(form, "expire")).toEqual(["172800"]);
  });

  it("labels an odd default lifetime in at most two units", () => {
    expect(options(accountInviteOptionsForm(90_000), "expire").at(-1)).toEqual(["1 day and 1 hour", "90000"]);
  });

  it("lets clients check the number of uses as an integer from 1 to 100 (XEP-0122)", () => {
    const validate = field(accountInviteOptionsForm(WEEK), "max-uses").getChild("validate", NS_VALIDATE);
    expect(validate?.attrs.datatype).toBe("xs:integer");
    expect(validate?.getChild("range")?.attrs).toEqual({ min: "1", max: "100" });
  });

  it("shows back what was entered", () => {
    const form = accountInviteOptionsForm(WEEK, {
      username: "Bad Name",
      rosterSubscription: true,
      ttlSeconds: 3_600,
      maxUses: "abc",
      note: "for the choir",
    });
    expect(values(form, "username")).toEqual(["Bad Name"]);
    expect(values(form, "roster-subscription")).toEqual(["1"]);
    expect(values(form, "expire")).toEqual(["3600"]);
    expect(values(form, "max-uses")).toEqual(["abc"]);
    expect(values(form, "note")).toEqual(["for the choir"]);
  });

  it("shows back an entered lifetime even when it is not offered", () => {
    const form = accountInviteOptionsForm(WEEK, { ttlSeconds: 5 });
    expect(values(form, "expire")).toEqual(["5"]);
    expect(options(form, "expire")).toHaveLength(4);
  });

  it("shows empty username and note as no value, an empty number of uses as empty", () => {
    const form = accountInviteOptionsForm(WEEK, { username: "", note: "", maxUses: "" });
    expect(values(form, "username")).toEqual([]);
    expect(values(form, "note")).toEqual([]);
    expect(values(form, "max-uses")).toEqual([""]);
  });
});

describe("readAccountInviteOptions", () => {
  it("reads every field as entered", () => {
    expect(
      readAccountInviteOptions(
        submitted({
          username: [" Alice "],
          "roster-subscription": ["true"],
          expire: ["86400"],
          "max-uses": ["3"],
          note: [" hi "],
        }),
      ),
    ).toEqual({ username: " Alice ", rosterSubscription: true, ttlSeconds: 86_400, maxUses: "3", note: " hi " });
  });

  it.each([
    ["1", true],
    ["true", true],
    ["0", false],
    ["false", false],
  ])("reads roster-subscription %j as %s", (value, expected) => {
    expect(readAccountInviteOptions(submitted({ "roster-subscription": [value] })).rosterSubscription).toBe(expected);
  });

  it("reads a missing or empty lifetime as none, and a non-number one as NaN", () => {
    expect(readAccountInviteOptions(submitted({})).ttlSeconds).toBeUndefined();
    expect(readAccountInviteOptions(submitted({ expire: [""] }))).not.toHaveProperty("ttlSeconds");
    expect(readAccountInviteOptions(submitted({ expire: [] }))).not.toHaveProperty("ttlSeconds");
    expect(readAccountInviteOptions(submitted({ expire: ["soon"] })).ttlSeconds).toBeNaN();
  });

  it("takes the first value of a field sent with several", () => {
    expect(readAccountInviteOptions(submitted({ username: ["first", "second"] })).username).toBe("first");
  });

  it.each(["form", "cancel", "result"])("reads nothing from a form of type %j", (type) => {
    expect(readAccountInviteOptions(submitted({ username: ["alice"], "roster-subscription": ["1"] }, type))).toEqual({
      username: undefined,
      rosterSubscription: false,
      maxUses: undefined,
      note: undefined,
    });
  });

  it("reads nothing when no form was sent", () => {
    expect(readAccountInviteOptions(undefined)).toEqual({ rosterSubscription: false });
  });

  it("round-trips the untouched form to a one-time invite for the default lifetime", () => {
    const entered = readAccountInviteOptions(submitBack(accountInviteOptionsForm(WEEK)));
    expect(entered).toEqual({ rosterSubscription: false, ttlSeconds: WEEK, maxUses: "1" });
    expect(validateAccountInviteOptions(entered, WEEK)).toEqual({
      options: { ttlSeconds: WEEK, maxUses: 1 },
      problems: [],
    });
  });

  it("round-trips an extra default lifetime that is not a choice", () => {
    const entered = readAccountInviteOptions(submitBack(accountInviteOptionsForm(172_800)));
    expect(validateAccountInviteOptions(entered, 172_800).options?.ttlSeconds).toBe(172_800);
  });

  it("round-trips the person's changes", () => {
    const form = accountInviteOptionsForm(WEEK);
    const entered = readAccountInviteOptions(
      submitBack(form, {
        username: ["Carol"],
        "roster-subscription": ["1"],
        expire: ["2419200"],
        "max-uses": ["10"],
        note: ["  book club "],
      }),
    );
    expect(validateAccountInviteOptions(entered, WEEK)).toEqual({
      options: { username: "carol", rosterSubscription: true, ttlSeconds: 2_419_200, maxUses: 10, note: "book club" },
      problems: [],
    });
  });

  it("round-trips invalid entries to problems, and shows them back unchanged", () => {
    const entered = readAccountInviteOptions(
      submitBack(accountInviteOptionsForm(WEEK), { username: ["a b"], "max-uses": ["0"], expire: ["5"] }),
    );
    expect(validateAccountInviteOptions(entered, WEEK).problems).toEqual([
      `"a b" cannot be a username: it contains a space`,
      'The number of uses must be from 1 to 100, not "0"',
      "Choose a lifetime of 1 hour, 1 day, 1 week, 4 weeks",
    ]);
    const again = accountInviteOptionsForm(WEEK, entered);
    expect(values(again, "username")).toEqual(["a b"]);
    expect(values(again, "max-uses")).toEqual(["0"]);
    expect(values(again, "expire")).toEqual(["5"]);
  });
});
