import { describe, expect, it } from "vitest";
import type { Executing } from "../../../src/adhoc/registry.js";
import {
  ACCOUNT_INVITE_NODE,
  CONTACT_INVITE_NODE,
  PASSWORD_RESET_NODE,
} from "../../../src/commands/invite-commands.js";
import { InviteError } from "../../../src/errors.js";
import { ADMIN, commandWorld, firstStep, formValues, nextStep, WEEK } from "../../helpers/command-world.js";

const ALICE = "alice@example.org/phone";
const REMOTE = "rita@remote.net/pc";

async function stored(world: ReturnType<typeof commandWorld>) {
  return (await world.store.listPage({ offset: 0, limit: 100 })).invites.map((s) => s.record);
}

describe("who may run the invite commands", () => {
  it("gives contact invites to local users only, and to admins only when contact invites are off", () => {
    const open = commandWorld();
    expect(open.adhoc(CONTACT_INVITE_NODE).allowed(open.ctx(ALICE))).toBe(true);
    expect(open.adhoc(CONTACT_INVITE_NODE).allowed(open.ctx(REMOTE))).toBe(false);
    expect(open.chat("invite").allowed(open.ctx(ALICE))).toBe(true);
    const closed = commandWorld({ allowContactInvites: false });
    expect(closed.adhoc(CONTACT_INVITE_NODE).allowed(closed.ctx(ALICE))).toBe(false);
    expect(closed.adhoc(CONTACT_INVITE_NODE).allowed(closed.ctx(`${ADMIN}/pc`))).toBe(true);
    expect(closed.chat("invite").allowed(closed.ctx(ALICE))).toBe(false);
  });

  it("gives account invites and reset links to admins only, wherever their account is", () => {
    const world = commandWorld({ allowUserInvites: true });
    for (const node of [ACCOUNT_INVITE_NODE, PASSWORD_RESET_NODE]) {
      expect(world.adhoc(node).allowed(world.ctx(ALICE))).toBe(false);
      expect(world.adhoc(node).allowed(world.ctx(`${ADMIN}/pc`))).toBe(true);
      expect(world.adhoc(node).allowed(world.ctx("boss@elsewhere.net/x"))).toBe(true);
    }
    for (const keyword of ["invite account", "reset"]) {
      expect(world.chat(keyword).allowed(world.ctx(ALICE))).toBe(false);
      expect(world.chat(keyword).allowed(world.ctx(`${ADMIN}/pc`))).toBe(true);
    }
  });
});

describe(`${CONTACT_INVITE_NODE}`, () => {
  it("creates the requester's contact invite in one stage and logs it without its token", async () => {
    const world = commandWorld();
    const result = await world.run(CONTACT_INVITE_NODE, ALICE, firstStep());
    expect(result.status).toBeUndefined();
    const values = formValues(result.form);
    const [record] = await stored(world);
    expect(record).toMatchObject({ type: "roster", jid: "alice@example.org", allow_registration: false });
    expect(values["landing-url"]?.[0]).toMatch(/^https:\/\/example\.org\/i/u);
    const token = /preauth=([\w-]+)/u.exec(values.uri?.[0] ?? "")?.[1] ?? "";
    expect(token.length).toBeGreaterThan(16);
    const created = world.logs.filter((line) => line.includes("Invite created"));
    expect(created).toHaveLength(1);
    expect(created[0]).toContain(`token="${token.slice(0, 4)}…"`);
    expect(world.logs.join("\n")).not.toContain(token);
  });
});

describe(`${ACCOUNT_INVITE_NODE}`, () => {
  it("asks for the options first, with the default lifetime chosen, and creates nothing yet", async () => {
    const world = commandWorld();
    const result = (await world.run(ACCOUNT_INVITE_NODE, `${ADMIN}/pc`, firstStep())) as Executing;
    expect(result).toMatchObject({ status: "executing", actions: ["complete"], defaultAction: "complete" });
    expect(result.note).toBeUndefined();
    expect(result.form.getChildText("title")).toBe("Create new account invite");
    expect(formValues(result.form)).toMatchObject({ expire: [String(WEEK)], "max-uses": ["1"] });
    expect(await stored(world)).toEqual([]);
  });

  it("makes Prosody's one-stage default invite when the first request is complete", async () => {
    const world = commandWorld();
    const result = await world.run(ACCOUNT_INVITE_NODE, `${ADMIN}/pc`, firstStep("complete"));
    expect(result.status).toBeUndefined();
    expect(result.note).toBeUndefined();
    expect(formValues(result.form).uri?.[0]).toMatch(/^xmpp:example\.org\?register;preauth=/u);
    expect(await stored(world)).toMatchObject([{ type: "register", jid: "example.org", reusable: false }]);
  });

  it("creates what the submitted form asks for, and says how many times a reusable one can be used", async () => {
    const world = commandWorld();
    const step = nextStep({ username: ["Bob"], "max-uses": ["3"], expire: ["86400"], note: ["for the club"] });
    const result = await world.run(ACCOUNT_INVITE_NODE, `${ADMIN}/pc`, step);
    expect(result.note).toEqual({ type: "info", text: "This invite can be used 3 times." });
    const [record] = await stored(world);
    expect(record).toMatchObject({
      jid: "bob@example.org",
      reusable: true,
      additional_data: { username: "bob", max_uses: 3, note: "for the club" },
    });
    expect((record?.expires ?? 0) - (record?.created_at ?? 0)).toBe(86_400);
  });

  it("gives the same form back, filled in, with what to fix, and creates nothing", async () => {
    const world = commandWorld();
    const step = nextStep({ username: ["bob"], "max-uses": ["lots"], expire: ["12345"] });
    const result = (await world.run(ACCOUNT_INVITE_NODE, `${ADMIN}/pc`, step)) as Executing;
    expect(result.status).toBe("executing");
    expect(result.note?.type).toBe("error");
    expect(result.note?.text.split("\n")).toEqual([
      'The number of uses must be from 1 to 100, not "lots"',
      expect.stringMatching(/^Choose a lifetime of /u),
    ]);
    expect(formValues(result.form)).toMatchObject({ username: ["bob"], "max-uses": ["lots"] });
    expect(await stored(world)).toEqual([]);
  });
});

describe(`${PASSWORD_RESET_NODE}`, () => {
  it("asks which account, and asks again with a reason when none was entered", async () => {
    const world = commandWorld();
    const first = (await world.run(PASSWORD_RESET_NODE, `${ADMIN}/pc`, firstStep())) as Executing;
    expect(first.status).toBe("executing");
    expect(first.note).toBeUndefined();
    expect(Object.keys(formValues(first.form))).toEqual(["accountjid"]);
    const empty = (await world.run(PASSWORD_RESET_NODE, `${ADMIN}/pc`, nextStep({ accountjid: ["  "] }))) as Executing;
    expect(empty.status).toBe("executing");
    expect(empty.note).toEqual({ type: "error", text: "Enter the account whose password is to be reset" });
    expect(await stored(world)).toEqual([]);
  });

  it("creates a one-day reset link for the account entered", async () => {
    const world = commandWorld();
    const result = await world.run(PASSWORD_RESET_NODE, `${ADMIN}/pc`, nextStep({ accountjid: [" bob@example.org "] }));
    expect(result.form?.getChildText("title")).toBe("Password reset link created");
    expect(result.note).toEqual({
      type: "info",
      text: "Whoever opens this link can set a new password for bob@example.org.",
    });
    const [record] = await stored(world);
    expect(record).toMatchObject({ type: "register", jid: "bob@example.org", additional_data: { allow_reset: "bob" } });
    expect((record?.expires ?? 0) - (record?.created_at ?? 0)).toBe(86_400);
  });

  it("lets the service's refusal through to the error edge", async () => {
    const world = commandWorld();
    const refused = world.run(PASSWORD_RESET_NODE, `${ADMIN}/pc`, nextStep({ accountjid: ["bob@remote.net"] }));
    await expect(refused).rejects.toThrow(InviteError);
    await expect(refused).rejects.toMatchObject({ code: "password-reset-not-local" });
  });
});

describe("the chat keywords", () => {
  it("invite: the same contact invite as the ad-hoc command, as text", async () => {
    const world = commandWorld();
    const reply = await world.say("invite", ALICE);
    expect(reply).toMatch(/^Here is your invite:\nhttps:\/\/example\.org\/i/u);
    expect(await stored(world)).toMatchObject([{ type: "roster", jid: "alice@example.org" }]);
  });

  it("invite account: reads the options, and refuses words or values it cannot use without creating anything", async () => {
    const world = commandWorld();
    expect(await world.say("invite account", `${ADMIN}/pc`, "tomorrow")).toBe(
      'I did not understand "tomorrow". Try: invite account 1d 5 uses "for the chess club"',
    );
    expect(await world.say("invite account", `${ADMIN}/pc`, "500 uses")).toBe(
      'Nothing was created: The number of uses must be from 1 to 100, not "500".',
    );
    expect(await stored(world)).toEqual([]);
    const reply = await world.say("invite account", `${ADMIN}/pc`, 'for carol 1d 2 uses "pair"');
    expect(reply).toMatch(/^Here is an account invite:/u);
    expect(await stored(world)).toMatchObject([
      { jid: "carol@example.org", additional_data: { username: "carol", max_uses: 2, note: "pair" } },
    ]);
  });

  it("reset: asks for the account when none is given, else gives the link", async () => {
    const world = commandWorld();
    expect(await world.say("reset", `${ADMIN}/pc`, "")).toBe('Say which account: "reset user@domain".');
    expect(await stored(world)).toEqual([]);
    const reply = await world.say("reset", `${ADMIN}/pc`, "bob@example.org");
    expect(reply).toMatch(/^Here is a password reset link for bob@example.org:\n/u);
    expect(reply).toContain("Send it only to the owner of that account.");
  });
});
