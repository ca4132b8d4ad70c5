import { describe, expect, it } from "vitest";
import type { InviteClaims, UnsettledClaim } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import { UnsettledSweep } from "../../../src/registration/unsettled-sweep.js";
import { UnsettledUses } from "../../../src/registration/unsettled-uses.js";

/** Claims whose unsettled list is `found`; each claim notes how it was settled in `settled`. */
function claimsWith(ids: string[], settled: string[]): InviteClaims {
  const found = ids.map(
    (claimId): UnsettledClaim => ({
      claimId,
      invitee: `${claimId}@example.org`,
      id: "abcdefgh",
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
