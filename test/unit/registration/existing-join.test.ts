/**
 * An existing account joins an invite's circles through the bot (src/registration/existing-join.ts): one claim with
 * the purpose `joined`, the membership (contacts only with a contact maker), the claim kept; given back when the
 * invite names no circle or is not for this account; nothing at all for another domain or when the bot is not the
 * registration hook.
 */
import { describe, expect, it } from "vitest";
import type { InviteRecord } from "../../../src/invites/record.js";
import type { ClaimOutcome, ClaimPurpose, InviteClaims } from "../../../src/invites/store.js";
import { createLogger } from "../../../src/logger.js";
import type { ContactMaker } from "../../../src/registration/contacts.js";
import { ExistingAccountJoin } from "../../../src/registration/existing-join.js";
import { MemoryCircles } from "../../../src/storage/memory-circles.js";

const record = (data: InviteRecord["additional_data"], jid = "example.org"): InviteRecord => ({
  type: "register",
  jid,
  allow_registration: true,
  additional_data: { source: "admin@example.org/x", ...data },
  created_at: 1,
  expires: 2_000_000_000,
  reusable: false,
});

async function world(invite: InviteRecord | undefined, options: { acts?: boolean; contacts?: boolean } = {}) {
  const circles = new MemoryCircles();
  await circles.create({ id: "FamilyCircle", name: "Family", rooms: [], createdAt: 1, createdBy: "admin@example.org" });
  await circles.addMember("FamilyCircle", "ann@example.org");
  const claims: { purpose: ClaimPurpose | undefined; settled: string }[] = [];
  const fake: InviteClaims = {
    claim: async (_token, purpose): Promise<ClaimOutcome> => {
      if (invite === undefined) return { ok: false, reason: "gone" };
      const entry = { purpose, settled: "open" };
      claims.push(entry);
      return {
        ok: true,
        claim: {
          hash: "h",
          id: "abcdefgh",
          record: invite,
          giveBack: async () => {
            entry.settled = "given back";
          },
          keep: async () => {
            entry.settled = "kept";
          },
        },
      };
    },
    unsettled: async () => [],
    recordUse: async () => {},
  };
  const made: string[] = [];
  const contacts: ContactMaker = {
    makeMutual: async (member, invitee, _password, group) => {
      made.push(`${member} <-> ${invitee} in ${group}`);
    },
  };
  const join = new ExistingAccountJoin({
    domain: "example.org",
    claims: fake,
    circles,
    contacts: options.contacts === false ? undefined : contacts,
    acts: () => options.acts ?? true,
    log: createLogger("silent"),
  });
  return { join, circles, claims, made };
}

describe("ExistingAccountJoin", () => {
  it("claims one use as `joined`, makes the account a member and the members' contact, and keeps the use", async () => {
    const { join, circles, claims, made } = await world(record({ groups: ["FamilyCircle"] }));
    expect(await join.join("Zoe@example.org", "T")).toBe("joined");
    expect(claims).toEqual([{ purpose: { kind: "joined", invitee: "zoe@example.org" }, settled: "kept" }]);
    expect((await circles.find("FamilyCircle"))?.members).toContain("zoe@example.org");
    expect(made).toEqual(["ann@example.org <-> zoe@example.org in Family"]);
  });

  it("makes only the membership without a contact maker (no API: the bot has no password)", async () => {
    const { join, circles, made } = await world(record({ groups: ["FamilyCircle"] }), { contacts: false });
    expect(await join.join("zoe@example.org", "T")).toBe("joined");
    expect((await circles.find("FamilyCircle"))?.members).toContain("zoe@example.org");
    expect(made).toEqual([]);
  });

  it("counts an invite to group chats only, and gives back the use of one that names neither", async () => {
    const rooms = await world(record({ rooms: ["hall@conference.example.org"] }));
    expect(await rooms.join.join("zoe@example.org", "T")).toBe("joined");
    const none = await world(record({}));
    expect(await none.join.join("zoe@example.org", "T")).toBe("not-a-circle-invite");
    expect(none.claims.map((claim) => claim.settled)).toEqual(["given back"]);
  });

  it("gives back a reset link's use, and a bound invite's for anyone but its user", async () => {
    const reset = await world(record({ groups: ["FamilyCircle"], allow_reset: "zoe" }));
    expect(await reset.join.join("zoe@example.org", "T")).toBe("not-a-circle-invite");
    const bound = await world(record({ groups: ["FamilyCircle"], username: "Carol" }));
    expect(await bound.join.join("zoe@example.org", "T")).toBe("not-a-circle-invite");
    expect(bound.claims.map((claim) => claim.settled)).toEqual(["given back"]);
    expect(await bound.join.join("carol@example.org", "T")).toBe("joined");
  });

  it("claims nothing for another domain, or where the bot is not the registration hook", async () => {
    const other = await world(record({ groups: ["FamilyCircle"] }));
    expect(await other.join.join("eve@other.example", "T")).toBe("not-ours");
    const server = await world(record({ groups: ["FamilyCircle"] }), { acts: false });
    expect(await server.join.join("zoe@example.org", "T")).toBe("not-ours");
    expect([...other.claims, ...server.claims]).toEqual([]);
  });

  it("joins nobody with an invite that cannot be used", async () => {
    const { join, circles } = await world(undefined);
    expect(await join.join("zoe@example.org", "T")).toBe("invite-invalid");
    expect((await circles.find("FamilyCircle"))?.members).toEqual(["ann@example.org"]);
  });
});
