import { describe, expect, it } from "vitest";
import {
  describeKind,
  describeUses,
  LIST_COLUMNS,
  listLines,
  listRow,
  pageSummary,
  remainingAfter,
} from "../../../src/commands/invite-lists.js";
import type { PendingInvite } from "../../../src/invites/pending.js";
import type { StoredInvite } from "../../../src/invites/store.js";

const NOW_MS = Date.UTC(2026, 10, 27, 1, 59, 2);
const NOW = NOW_MS / 1000;

function pending(overrides: Partial<PendingInvite> = {}): PendingInvite {
  return {
    id: "Xy12_-ab",
    kind: "contact",
    inviter: "alice@example.org",
    expires: NOW + 6 * 86_400,
    allowsRegistration: false,
    stored: {} as StoredInvite,
    ...overrides,
  };
}

describe("describeKind", () => {
  it("names the kind, whether a contact invite may register, and the bound username", () => {
    expect(describeKind(pending())).toBe("contact invite");
    expect(describeKind(pending({ allowsRegistration: true }))).toBe("contact invite, may register");
    // Account invites always register: saying so would add nothing.
    expect(describeKind(pending({ kind: "account", allowsRegistration: true }))).toBe("account invite");
    expect(describeKind(pending({ kind: "account", allowsRegistration: true, username: "bob" }))).toBe(
      "account invite, for bob",
    );
    expect(describeKind(pending({ kind: "reset", username: "bob" }))).toBe("password reset, for bob");
  });
});

describe("describeUses", () => {
  it("says once for a one-time invite, else how many are left of how many", () => {
    expect(describeUses(pending())).toBe("once");
    expect(describeUses(pending({ maxUses: 5, usesLeft: 2 }))).toBe("2 of 5 left");
    expect(describeUses(pending({ maxUses: 5 }))).toBe("5 of 5 left");
  });
});

describe("listRow", () => {
  it("fills every column of the table, the server standing in for an unknown inviter", () => {
    const row = listRow(pending({ inviter: undefined, note: "club" }));
    expect(Object.keys(row)).toEqual(LIST_COLUMNS.map((c) => c.var));
    expect(row).toEqual({
      id: "Xy12_-ab",
      kind: "contact invite",
      inviter: "(server)",
      expire: "2026-12-03T01:59:02Z",
      uses: "once",
      note: "club",
    });
    expect(listRow(pending()).note).toBe("");
  });
});

describe("listLines", () => {
  it("gives one line per invite, with the inviter only when asked and uses only when counted", () => {
    const invites = [
      pending(),
      pending({ id: "Ab34cd56", kind: "account", inviter: undefined, maxUses: 5, usesLeft: 5, note: "for the club" }),
    ];
    expect(listLines(invites, false, () => NOW_MS)).toEqual([
      "• Xy12_-ab — contact invite — expires in 6 days",
      "• Ab34cd56 — account invite — 5 of 5 left — expires in 6 days — “for the club”",
    ]);
    expect(listLines(invites, true, () => NOW_MS)).toEqual([
      "• Xy12_-ab — contact invite — by alice@example.org — expires in 6 days",
      "• Ab34cd56 — account invite — by the server — 5 of 5 left — expires in 6 days — “for the club”",
    ]);
  });
});

describe("paging words", () => {
  it("counts what comes after a page, never below zero", () => {
    expect(remainingAfter({ total: 60, page: 1, pageSize: 25 })).toBe(35);
    expect(remainingAfter({ total: 60, page: 3, pageSize: 25 })).toBe(0);
    expect(remainingAfter({ total: 60, page: 9, pageSize: 25 })).toBe(0);
  });

  it("gives the total alone when everything fits, else the page's range with thousands separated", () => {
    expect(pageSummary({ invites: [1, 2, 3], total: 3, page: 1, pageSize: 25 })).toBe("3");
    const page2 = { invites: Array.from({ length: 25 }), total: 1234, page: 2, pageSize: 25 };
    expect(pageSummary(page2)).toBe("26–50 of 1,234");
  });
});
