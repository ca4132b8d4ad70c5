import type { Element } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import type { Executing } from "../../../src/adhoc/registry.js";
import { parseListArgs } from "../../../src/commands/manage-chat.js";
import { LIST_INVITES_NODE, REVOKE_INVITES_NODE } from "../../../src/commands/manage-commands.js";
import { actorFor } from "../../../src/invites/permissions.js";
import {
  ADMIN,
  type CommandWorld,
  commandWorld,
  firstStep,
  formValues,
  nextStep,
  tableRows,
} from "../../helpers/command-world.js";

const ALICE = "alice@example.org/phone";
const BOB = "bob@example.org/pc";

/** Contact invites: `count` of alice's, one of bob's. */
async function withInvites(count = 2): Promise<CommandWorld> {
  const world = commandWorld();
  for (let i = 0; i < count; i += 1) await world.service.createContactInvite(world.ctx(ALICE).actor, ALICE);
  await world.service.createContactInvite(world.ctx(BOB).actor, BOB);
  return world;
}

async function idsOf(world: CommandWorld, inviter: string): Promise<string[]> {
  const admin = actorFor(ADMIN, world.service.policy);
  return (await world.service.listInvites(admin, { inviter })).invites.map((p) => p.id);
}

function optionValues(form: Element | undefined, name: string): string[] {
  const field = form?.getChildren("field").find((f: Element) => f.attrs.var === name);
  return (field?.getChildren("option") ?? []).map((o: Element) => o.getChildText("value") ?? "");
}

describe("who may list and revoke", () => {
  it("local users and admins, not users of other servers", () => {
    const world = commandWorld();
    for (const node of [LIST_INVITES_NODE, REVOKE_INVITES_NODE]) {
      expect(world.adhoc(node).allowed(world.ctx(ALICE))).toBe(true);
      expect(world.adhoc(node).allowed(world.ctx("rita@remote.net/x"))).toBe(false);
      expect(world.adhoc(node).allowed(world.ctx("boss@elsewhere.net/x"))).toBe(true);
    }
    expect(world.chat("invites").allowed(world.ctx("rita@remote.net/x"))).toBe(false);
  });
});

describe(`${LIST_INVITES_NODE}`, () => {
  it("shows a user their own invites at once, without the inviter column", async () => {
    const world = await withInvites();
    const result = await world.run(LIST_INVITES_NODE, ALICE, firstStep());
    expect(result.status).toBeUndefined();
    expect(result.form?.getChildText("title")).toBe("Pending invites (2)");
    const rows = tableRows(result.form);
    expect(rows.map((row) => row.id).sort()).toEqual((await idsOf(world, "alice@example.org")).sort());
    expect(rows.every((row) => row.inviter === undefined && row.kind === "contact invite")).toBe(true);
  });

  it("says so when there is nothing", async () => {
    const world = commandWorld();
    expect(await world.run(LIST_INVITES_NODE, ALICE, firstStep())).toEqual({
      note: { type: "info", text: "There are no pending invites." },
    });
  });

  it("asks an admin whose invites, then lists those (normalised JID) with the inviter", async () => {
    const world = await withInvites();
    const ask = (await world.run(LIST_INVITES_NODE, `${ADMIN}/pc`, firstStep())) as Executing;
    expect(ask.status).toBe("executing");
    expect(Object.keys(formValues(ask.form))).toEqual(["inviter"]);
    const only = await world.run(LIST_INVITES_NODE, `${ADMIN}/pc`, nextStep({ inviter: [" Alice@Example.org "] }));
    expect(tableRows(only.form).map((row) => row.inviter)).toEqual(["alice@example.org", "alice@example.org"]);
    const all = await world.run(LIST_INVITES_NODE, `${ADMIN}/pc`, nextStep({ inviter: [""] }));
    expect(tableRows(all.form)).toHaveLength(3);
    expect(await world.run(LIST_INVITES_NODE, `${ADMIN}/pc`, nextStep({ inviter: ["not a jid"] }))).toEqual({
      note: { type: "error", text: '"not a jid" is not a JID (user@domain)' },
    });
  });

  it("pages 25 at a time: next shows the rest, complete ends", async () => {
    const world = await withInvites(26);
    const first = (await world.run(LIST_INVITES_NODE, `${ADMIN}/pc`, nextStep({}))) as Executing;
    expect(first).toMatchObject({ status: "executing", actions: ["next", "complete"], defaultAction: "next" });
    expect(first.state).toEqual({ inviter: undefined, page: 1 });
    expect(first.form.getChildText("title")).toBe("Pending invites (1–25 of 27)");
    expect(tableRows(first.form)).toHaveLength(25);
    const second = await world.run(
      LIST_INVITES_NODE,
      `${ADMIN}/pc`,
      nextStep({}, { action: "next", state: first.state }),
    );
    expect(second.status).toBeUndefined();
    expect(second.form?.getChildText("title")).toBe("Pending invites (26–27 of 27)");
    expect(await world.run(LIST_INVITES_NODE, `${ADMIN}/pc`, nextStep({}, { state: first.state }))).toEqual({
      note: { type: "info", text: "Done." },
    });
  });
});

describe(`${REVOKE_INVITES_NODE}`, () => {
  it("tells a user with nothing pending so, instead of an empty form", async () => {
    expect(await commandWorld().run(REVOKE_INVITES_NODE, ALICE, firstStep())).toEqual({
      note: { type: "info", text: "You have no pending invites." },
    });
  });

  it("offers a user their own invites and revokes the ones chosen", async () => {
    const world = await withInvites();
    const alices = await idsOf(world, "alice@example.org");
    const form = (await world.run(REVOKE_INVITES_NODE, ALICE, firstStep())) as Executing;
    expect(optionValues(form.form, "invites").sort()).toEqual([...alices].sort());
    expect(Object.keys(formValues(form.form))).toEqual(["invites"]);
    const done = await world.run(REVOKE_INVITES_NODE, ALICE, nextStep({ invites: [alices[0] ?? ""] }));
    expect(done.note).toEqual({ type: "info", text: "Revoked 1 invite." });
    expect(await idsOf(world, "alice@example.org")).toEqual([alices[1]]);
    expect(world.logs.some((line) => line.includes("Invites revoked") && line.includes("count=1"))).toBe(true);
  });

  it("gives an admin ids to type beyond the first 25 and every invite of one user", async () => {
    const world = await withInvites(26);
    const form = (await world.run(REVOKE_INVITES_NODE, `${ADMIN}/pc`, firstStep())) as Executing;
    expect(Object.keys(formValues(form.form))).toEqual(["invites", "ids", "inviter"]);
    expect(form.form.getChildText("instructions")).toBe("The 25 soonest to expire of 27 are listed.");
    const [bobs] = await idsOf(world, "bob@example.org");
    const done = await world.run(
      REVOKE_INVITES_NODE,
      `${ADMIN}/pc`,
      nextStep({ ids: [`${bobs}, ${bobs}`], inviter: ["alice@example.org"] }),
    );
    expect(done.note).toEqual({ type: "info", text: "Revoked 27 invites." });
    expect((await world.store.listPage({ offset: 0, limit: 100 })).total).toBe(0);
  });
});

describe("parseListArgs", () => {
  it("reads the page and whose invites, or refuses the words", () => {
    expect(parseListArgs("")).toEqual({ page: 1 });
    expect(parseListArgs(" page 3 ")).toEqual({ page: 3 });
    expect(parseListArgs("of Alice@Example.org page 2")).toEqual({
      page: 2,
      ofText: "Alice@Example.org",
      inviter: "alice@example.org",
    });
    expect(parseListArgs("of nobody")).toEqual({ page: 1, ofText: "nobody" });
    expect(parseListArgs("page 0")).toBeUndefined();
    expect(parseListArgs("everything")).toBeUndefined();
  });
});

describe("the chat keywords", () => {
  it("invites: a user's own, a line each, and the way to revoke", async () => {
    const world = await withInvites();
    const lines = (await world.say("invites", ALICE)).split("\n");
    expect(lines[0]).toBe("Your pending invites (2):");
    expect(lines.slice(1, 3).every((line) => /^• \S{8} — contact invite — expires in 1 week$/u.test(line))).toBe(true);
    expect(lines.at(-1)).toBe('Say "revoke ID" to revoke one.');
    expect(await world.say("invites", ALICE, "of bob@example.org")).toBe(
      'Say "invites" to see your pending invites ("invites page 2" for more).',
    );
  });

  it("invites: an admin's view of one user, the next page's words, a page past the end", async () => {
    const world = await withInvites(26);
    const page = await world.say("invites", `${ADMIN}/pc`, "of alice@example.org");
    expect(page.split("\n")[0]).toBe("Pending invites (1–25 of 26):");
    expect(page).toContain("— by alice@example.org —");
    expect(page).toContain('1 more: say "invites of alice@example.org page 2".');
    expect(await world.say("invites", `${ADMIN}/pc`, "page 9")).toBe(
      "There are only 27 pending invites; that page is past the end.",
    );
    expect(await world.say("invites", `${ADMIN}/pc`, "of nobody")).toBe('"nobody" is not a JID (user@domain).');
    expect(await world.say("invites", `${ADMIN}/pc`, "please")).toBe(
      'Say "invites", "invites page 2" or "invites of user@domain".',
    );
  });

  it("revoke: one by id, all of a user, or what to say", async () => {
    const world = await withInvites();
    const [first] = await idsOf(world, "alice@example.org");
    expect(await world.say("revoke", ALICE, first)).toBe(`Revoked invite ${first} (contact invite).`);
    expect(await world.say("revoke", ALICE, "not an id!")).toBe('Say "revoke ID" with an id from "invites".');
    await expect(world.say("revoke", BOB, (await idsOf(world, "alice@example.org"))[0])).rejects.toMatchObject({
      code: "invite-not-found",
    });
    expect(await world.say("revoke", `${ADMIN}/pc`, "all of Alice@example.org")).toBe(
      "Revoked 1 pending invite of alice@example.org.",
    );
    expect(await world.say("revoke", `${ADMIN}/pc`, "all of nobody")).toBe('"nobody" is not a JID (user@domain).');
    expect(await idsOf(world, "bob@example.org")).toHaveLength(1);
  });
});
