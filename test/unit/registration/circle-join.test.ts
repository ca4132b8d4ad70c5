import { describe, expect, it } from "vitest";
import type { InviteRecord } from "../../../src/invites/record.js";
import { createLogger } from "../../../src/logger.js";
import { joinCircles } from "../../../src/registration/circle-join.js";
import type { ContactMaker } from "../../../src/registration/contacts.js";
import { MemoryCircles } from "../../../src/storage/memory-circles.js";

const record = (groups: unknown[]): InviteRecord => ({
  type: "register",
  jid: "example.org",
  allow_registration: true,
  additional_data: { source: "admin@example.org/x", groups: groups as string[] },
  created_at: 1,
  expires: 2_000_000_000,
  reusable: true,
});

async function world() {
  const circles = new MemoryCircles();
  const base = { rooms: [], createdAt: 1, createdBy: "admin@example.org" };
  await circles.create({ ...base, id: "FamilyCircle", name: "Family" });
  await circles.create({ ...base, id: "ChessCircles", name: "Chess club" });
  for (const member of ["a@example.org", "b@example.org"]) await circles.addMember("FamilyCircle", member);
  await circles.addMember("ChessCircles", "c@example.org");
  const made: string[] = [];
  const contacts: ContactMaker = {
    makeMutual: async (member, invitee, _password, group) => {
      if (member === "b@example.org" && invitee === "fail@example.org") throw new Error("API down");
      made.push(`${member} <-> ${invitee} in ${group}`);
    },
  };
  return { circles, made, deps: { circles, contacts, log: createLogger("silent") } };
}

describe("joinCircles", () => {
  it("makes the newcomer a member of each circle and every member's contact under its name", async () => {
    const { circles, made, deps } = await world();
    await joinCircles(deps, record(["FamilyCircle", "ChessCircles"]), "zoe@example.org", "pw");
    expect(made).toEqual([
      "a@example.org <-> zoe@example.org in Family",
      "b@example.org <-> zoe@example.org in Family",
      "c@example.org <-> zoe@example.org in Chess club",
    ]);
    expect((await circles.find("FamilyCircle"))?.members).toContain("zoe@example.org");
  });

  it("does nothing twice: a newcomer already a member gets no contacts made again", async () => {
    const { made, deps } = await world();
    await joinCircles(deps, record(["FamilyCircle"]), "zoe@example.org", "pw");
    await joinCircles(deps, record(["FamilyCircle"]), "zoe@example.org", "pw");
    expect(made).toHaveLength(2);
  });

  it("resumed (a run that stopped half-way): makes the contacts of a member already there, adding nobody", async () => {
    const { circles, made, deps } = await world();
    await circles.addMember("FamilyCircle", "zoe@example.org");
    await joinCircles({ ...deps, resumed: true }, record(["FamilyCircle", "GoneCircle12"]), "zoe@example.org", "");
    expect(made).toEqual([
      "a@example.org <-> zoe@example.org in Family",
      "b@example.org <-> zoe@example.org in Family",
    ]);
    expect((await circles.find("FamilyCircle"))?.members).toEqual([
      "a@example.org",
      "b@example.org",
      "zoe@example.org",
    ]);
  });

  it("joins nothing of a circle that is gone or malformed, and goes on after a contact that fails", async () => {
    const { circles, made, deps } = await world();
    await joinCircles(deps, record(["GoneCircle12", 42, "FamilyCircle"]), "fail@example.org", "pw");
    expect((await circles.find("GoneCircle12"))?.members).toBeUndefined();
    expect(made).toEqual(["a@example.org <-> fail@example.org in Family"]);
    expect((await circles.find("FamilyCircle"))?.members).toContain("fail@example.org");
  });
});
