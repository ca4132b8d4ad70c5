import { describe, expect, it } from "vitest";
import type { Executing } from "../../../src/adhoc/registry.js";
import { RELATIONS_NODE } from "../../../src/commands/relations-commands.js";
import { ADMIN, commandWorld, firstStep, formValues, nextStep } from "../../helpers/command-world.js";

/** alice invited bob and carol; admin invited alice. */
function world() {
  const made = commandWorld();
  made.store.recordUse("alice@example.org", "bob@example.org");
  made.store.recordUse("alice@example.org", "carol@example.org");
  made.store.recordUse(ADMIN, "alice@example.org");
  return made;
}

describe(`${RELATIONS_NODE}`, () => {
  it("is for admins only, over ad-hoc and chat", () => {
    const w = world();
    expect(w.adhoc(RELATIONS_NODE).allowed(w.ctx("alice@example.org/a"))).toBe(false);
    expect(w.adhoc(RELATIONS_NODE).allowed(w.ctx(`${ADMIN}/a`))).toBe(true);
    for (const keyword of ["who invited", "invitees of"]) {
      expect(w.chat(keyword).allowed(w.ctx("alice@example.org/a"))).toBe(false);
      expect(w.chat(keyword).allowed(w.ctx("boss@elsewhere.net/a"))).toBe(true);
    }
  });

  it("asks for the account, and again when what came back is not a JID", async () => {
    const w = world();
    const first = (await w.run(RELATIONS_NODE, `${ADMIN}/a`, firstStep())) as Executing;
    expect(first.status).toBe("executing");
    expect(first.note).toBeUndefined();
    expect(Object.keys(formValues(first.form))).toEqual(["accountjid"]);
    const again = (await w.run(RELATIONS_NODE, `${ADMIN}/a`, nextStep({ accountjid: ["alice"] }))) as Executing;
    expect(again.status).toBe("executing");
    expect(again.note).toEqual({ type: "error", text: '"alice" is not a JID (user@domain)' });
  });

  it("answers who invited the account and whom it invited, for the normalised JID", async () => {
    const w = world();
    const result = await w.run(RELATIONS_NODE, `${ADMIN}/a`, nextStep({ accountjid: [" Alice@Example.org "] }));
    expect(result.form?.getChildText("title")).toBe("Who invited whom: alice@example.org");
    expect(formValues(result.form)).toEqual({
      "invited-by": [ADMIN],
      invitees: ["bob@example.org", "carol@example.org"],
    });
    const unknown = await w.run(RELATIONS_NODE, `${ADMIN}/a`, nextStep({ accountjid: ["dan@example.org"] }));
    expect(formValues(unknown.form)).toEqual({ "invited-by": [], invitees: [] });
  });
});

describe("the chat keywords", () => {
  it("who invited: the inviter, that none is known, or what to say", async () => {
    const w = world();
    expect(await w.say("who invited", `${ADMIN}/a`, "Bob@example.org")).toBe(
      "bob@example.org was invited by alice@example.org.",
    );
    expect(await w.say("who invited", `${ADMIN}/a`, "dan@example.org")).toBe(
      "I know of no invite that brought dan@example.org.",
    );
    expect(await w.say("who invited", `${ADMIN}/a`, "bob")).toBe('Say "who invited user@domain".');
  });

  it("invitees of: one line each, that there are none yet, or what to say", async () => {
    const w = world();
    expect(await w.say("invitees of", `${ADMIN}/a`, "alice@example.org")).toBe(
      "alice@example.org invited:\n• bob@example.org\n• carol@example.org",
    );
    expect(await w.say("invitees of", `${ADMIN}/a`, "bob@example.org")).toBe(
      "bob@example.org has not invited anyone who accepted yet.",
    );
    expect(await w.say("invitees of", `${ADMIN}/a`, "")).toBe('Say "invitees of user@domain".');
  });

  it("leaves a non-admin's request to the service's refusal", async () => {
    await expect(world().say("who invited", "alice@example.org/a", "bob@example.org")).rejects.toMatchObject({
      code: "relations-admins-only",
    });
  });
});
