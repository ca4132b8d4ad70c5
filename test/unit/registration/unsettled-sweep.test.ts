import { describe, expect, it } from "vitest";
import type { InviteRecord } from "../../../src/invites/record.js";
import type { InviteClaims, UnsettledClaim } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import type { ContactMaker } from "../../../src/registration/contacts.js";
import { UnsettledSweep, type UnsettledSweepOptions } from "../../../src/registration/unsettled-sweep.js";
import { UnsettledUses } from "../../../src/registration/unsettled-uses.js";
import { MemoryCircles } from "../../../src/storage/memory-circles.js";

/** An admin's account invite to the circles `groups`. */
const recordTo = (groups: string[]): InviteRecord => ({
  type: "register",
  jid: "example.org",
  allow_registration: true,
  additional_data: { source: "admin@example.org/x", groups },
  created_at: 1,
  expires: 2_000_000_000,
  reusable: false,
});

/** Claims whose unsettled list is `found`; each claim notes how it was settled in `settled`. */
function claimsWith(ids: string[], settled: string[], record = recordTo([])): InviteClaims {
  const found = ids.map(
    (claimId): UnsettledClaim => ({
      claimId,
      invitee: `${claimId}@example.org`,
      id: "abcdefgh",
      record,
      keep: async () => {
        settled.push(`${claimId} kept`);
      },
      giveBack: async () => {
        settled.push(`${claimId} given back`);
      },
    }),
  );
  return {
    claim: async () => ({ ok: false, reason: "gone" }),
    unsettled: async () => found,
    recordUse: async () => {},
  };
}

describe("UnsettledSweep", () => {
  it("settles each claim by whether its account exists, and hands none twice while it is being settled", async () => {
    const settled: string[] = [];
    let answer: (exists: boolean) => void = () => {};
    const asked: string[] = [];
    const uses = new UnsettledUses({
      exists: (jid) => {
        asked.push(jid);
        return new Promise<boolean>((resolve) => {
          answer = resolve;
        });
      },
      attemptTimeoutMs: 10_000,
      log: createLogger("silent"),
    });
    const sweep = new UnsettledSweep({ claims: claimsWith(["made"], settled), uses, log: createLogger("silent") });

    expect(await sweep.sweep()).toBe(1);
    // The server has not answered yet: a second sweep finds the same entry and leaves it to the first.
    expect(await sweep.sweep()).toBe(0);
    expect(asked).toEqual(["made@example.org"]);
    answer(true);
    await expect.poll(() => settled).toEqual(["made kept"]);
    // Settled: a later sweep that still found it (the store did not take it) would hand it on again.
    expect(await sweep.sweep()).toBe(1);
  });

  it("gives the use back when the account does not exist", async () => {
    const settled: string[] = [];
    const uses = new UnsettledUses({ exists: async () => false, attemptTimeoutMs: 1_000, log: createLogger("silent") });
    const sweep = new UnsettledSweep({ claims: claimsWith(["unmade"], settled), uses, log: createLogger("silent") });
    await sweep.sweep();
    await expect.poll(() => settled).toEqual(["unmade given back"]);
  });
});

describe("UnsettledSweep joining the circles of a use that stands", () => {
  /** A circle Family of a and b, contacts that note what they make (in `settled` too, to see the order). */
  async function world(settled: string[]) {
    const circles = new MemoryCircles();
    await circles.create({
      id: "FamilyCircle",
      name: "Family",
      rooms: [],
      createdAt: 1,
      createdBy: "admin@example.org",
    });
    for (const member of ["a@example.org", "b@example.org"]) await circles.addMember("FamilyCircle", member);
    const passwords: string[] = [];
    const contacts: ContactMaker = {
      makeMutual: async (member, invitee, password, group) => {
        passwords.push(password);
        settled.push(`${member} <-> ${invitee} in ${group}`);
      },
    };
    return { circles, contacts, passwords };
  }

  const sweepOf = (claims: InviteClaims, exists: boolean, join: Pick<UnsettledSweepOptions, "join">) =>
    new UnsettledSweep({
      claims,
      uses: new UnsettledUses({ exists: async () => exists, attemptTimeoutMs: 1_000, log: createLogger("silent") }),
      log: createLogger("silent"),
      ...join,
    });

  it("makes the account a member and every member's contact, without a password, then keeps the use", async () => {
    const settled: string[] = [];
    const { circles, contacts, passwords } = await world(settled);
    const claims = claimsWith(["zoe"], settled, recordTo(["FamilyCircle", "GoneCircle12"]));
    await sweepOf(claims, true, { join: { circles, contacts } }).sweep();
    await expect
      .poll(() => settled)
      .toEqual([
        "a@example.org <-> zoe@example.org in Family",
        "b@example.org <-> zoe@example.org in Family",
        "zoe kept",
      ]);
    expect(passwords).toEqual(["", ""]);
    expect((await circles.find("FamilyCircle"))?.members).toEqual([
      "a@example.org",
      "b@example.org",
      "zoe@example.org",
    ]);
  });

  it("finishes a join the stopped run left half done: the member stays once, the contacts are made", async () => {
    const settled: string[] = [];
    const { circles, contacts } = await world(settled);
    await circles.addMember("FamilyCircle", "zoe@example.org");
    await sweepOf(claimsWith(["zoe"], settled, recordTo(["FamilyCircle"])), true, {
      join: { circles, contacts },
    }).sweep();
    await expect.poll(() => settled).toContain("zoe kept");
    expect(settled).toEqual([
      "a@example.org <-> zoe@example.org in Family",
      "b@example.org <-> zoe@example.org in Family",
      "zoe kept",
    ]);
    expect((await circles.find("FamilyCircle"))?.members).toEqual([
      "a@example.org",
      "b@example.org",
      "zoe@example.org",
    ]);
  });

  it("without ejabberd's API, only makes the account a member", async () => {
    const settled: string[] = [];
    const { circles } = await world(settled);
    await sweepOf(claimsWith(["zoe"], settled, recordTo(["FamilyCircle"])), true, {
      join: { circles, contacts: undefined },
    }).sweep();
    await expect.poll(() => settled).toEqual(["zoe kept"]);
    expect((await circles.find("FamilyCircle"))?.members).toContain("zoe@example.org");
  });

  it("joins nothing when the account does not exist: the use goes back", async () => {
    const settled: string[] = [];
    const { circles, contacts } = await world(settled);
    await sweepOf(claimsWith(["zoe"], settled, recordTo(["FamilyCircle"])), false, {
      join: { circles, contacts },
    }).sweep();
    await expect.poll(() => settled).toEqual(["zoe given back"]);
    expect((await circles.find("FamilyCircle"))?.members).toEqual(["a@example.org", "b@example.org"]);
  });
});
