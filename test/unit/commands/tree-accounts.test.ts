/**
 * Issue 25, point 2: the ad-hoc command _Invite tree_ (tree-commands.ts) and disabling the accounts of a tree over
 * chat (account-commands.ts, src/invites/tree-disable.ts), on the real InviteService with a fake server's accounts
 * (test/helpers/fake-accounts.ts).
 */
import { describe, expect, it } from "vitest";
import type { Completed } from "../../../src/adhoc/registry.js";
import { TREE_NODE } from "../../../src/commands/tree-commands.js";
import { ADMIN, commandWorld, firstStep, formValues, NOW_MS, nextStep } from "../../helpers/command-world.js";
import { FakeAccounts } from "../../helpers/fake-accounts.js";

const ALICE = "alice@example.org/phone";
const at = (name: string) => `${name}@example.org`;

/** alice → bob → carol → dan, and bob → the admin and the bot (accounts that are never disabled). */
function treeWorld(accounts = new FakeAccounts()) {
  const world = commandWorld({}, () => NOW_MS, { accounts });
  const now = NOW_MS / 1000;
  world.store.recordUse(at("alice"), at("bob"), now - 3 * 86_400);
  world.store.recordUse(at("bob"), at("carol"), now - 2 * 86_400);
  world.store.recordUse(at("carol"), at("dan"), now - 86_400);
  world.store.recordUse(at("bob"), ADMIN);
  world.store.recordUse(at("bob"), "invites@example.org");
  return { world, accounts };
}

async function invitesOf(world: ReturnType<typeof commandWorld>, ...names: string[]) {
  for (const name of names) await world.service.createContactInvite(world.ctx(`${at(name)}/x`).actor, `${at(name)}/x`);
}

describe("disable tree (chat)", () => {
  it("first says what it will do and changes nothing", async () => {
    const { world, accounts } = treeWorld();
    await invitesOf(world, "alice", "carol");
    expect(await world.say("disable tree", `${ADMIN}/pc`, "Alice@Example.org")).toBe(
      [
        "This revokes every pending invite of alice@example.org and of its invite tree, then disables 3 accounts in the tree (not alice@example.org itself).",
        "Left alone: admin@example.org (an administrator), invites@example.org (the bot's own account).",
        'Say "disable tree alice@example.org confirm" to do it.',
      ].join("\n"),
    );
    expect(accounts.calls).toEqual([]);
    expect((await world.store.listPage({ offset: 0, limit: 10 })).total).toBe(2);
  });

  it("with confirm, revokes the tree's invites, then disables each account below the root, reporting each", async () => {
    const { world, accounts } = treeWorld();
    await invitesOf(world, "alice", "carol", "dan", "frank");
    accounts.failing.set(at("carol"), "the server says: The following accounts could not be disabled");
    expect(await world.say("disable tree", `${ADMIN}/pc`, "alice@example.org confirm")).toBe(
      [
        "Revoked 3 pending invites of alice@example.org and its invite tree.",
        "Disabled 2 accounts: bob@example.org, dan@example.org.",
        "Not disabled: carol@example.org: the server says: The following accounts could not be disabled.",
        "Left alone: admin@example.org (an administrator), invites@example.org (the bot's own account).",
      ].join("\n"),
    );
    expect([...accounts.disabled]).toEqual([at("bob"), at("dan")]);
    expect(accounts.calls).not.toContain(`disable ${at("alice")}`);
    const left = await world.store.listPage({ offset: 0, limit: 10 });
    expect(left.invites.map((stored) => stored.record.jid)).toEqual([at("frank")]);
    expect(world.logs.some((line) => line.includes("Accounts of an invite tree disabled"))).toBe(true);
  });

  it("locks where the server cannot disable, and says what that means", async () => {
    const { world, accounts } = treeWorld(new FakeAccounts({ way: "lock", enable: false }));
    const reply = await world.say("disable tree", `${ADMIN}/pc`, "alice@example.org confirm");
    expect(reply).toContain("Locked 3 accounts: bob@example.org, carol@example.org, dan@example.org.");
    expect(reply).toContain(
      "Locked, not disabled: this server cannot disable accounts, so each got a random password nobody knows and its sessions were ended; a password reset link (reset user@domain) reopens one.",
    );
    expect([...accounts.locked]).toHaveLength(3);
  });

  it("says plainly when the server cannot, and changes nothing", async () => {
    const why = "disable accounts: it offers the bot no XEP-0133 admin commands";
    const { world } = treeWorld(new FakeAccounts({ way: undefined, why }));
    await invitesOf(world, "bob");
    await expect(world.say("disable tree", `${ADMIN}/pc`, "alice@example.org confirm")).rejects.toMatchObject({
      code: "accounts-unsupported",
      params: { reason: why },
    });
    expect((await world.store.listPage({ offset: 0, limit: 10 })).total).toBe(1);
    const without = commandWorld();
    await expect(without.say("disable tree", `${ADMIN}/pc`, "alice@example.org")).rejects.toMatchObject({
      code: "accounts-unsupported",
    });
  });

  it("is for admins only", async () => {
    const { world, accounts } = treeWorld();
    expect(world.chat("disable tree").allowed(world.ctx(ALICE))).toBe(false);
    expect(world.chat("enable").allowed(world.ctx(ALICE))).toBe(false);
    await expect(world.service.accounts.disableTree(world.ctx(ALICE).actor, at("alice"))).rejects.toMatchObject({
      code: "accounts-admins-only",
    });
    expect(accounts.calls).toEqual([]);
    expect(await world.say("disable tree", `${ADMIN}/pc`, "")).toBe('Say "disable tree user@domain".');
  });
});

describe("disable and enable one account (chat)", () => {
  it("disables and enables an account, never an admin's or the bot's", async () => {
    const { world, accounts } = treeWorld();
    expect(await world.say("disable", `${ADMIN}/pc`, "alice@example.org")).toBe("Disabled alice@example.org.");
    expect(await world.say("enable", `${ADMIN}/pc`, "alice@example.org")).toBe("Enabled alice@example.org again.");
    expect(await world.say("disable", `${ADMIN}/pc`, "boss@elsewhere.net")).toBe(
      "boss@elsewhere.net was not disabled: an administrator.",
    );
    expect(await world.say("disable", `${ADMIN}/pc`, "invites@example.org")).toBe(
      "invites@example.org was not disabled: the bot's own account.",
    );
    expect(accounts.calls).toEqual([`disable ${at("alice")}`, `enable ${at("alice")}`]);
  });

  it("cannot enable where accounts are locked, not disabled", async () => {
    const { world } = treeWorld(new FakeAccounts({ way: "lock", enable: false }));
    await expect(world.say("enable", `${ADMIN}/pc`, "bob@example.org")).rejects.toMatchObject({
      code: "accounts-unsupported",
    });
    expect(await world.say("disable", `${ADMIN}/pc`, "bob@example.org")).toMatch(/^Locked bob@example\.org: /u);
  });
});

describe("Invite tree (ad-hoc)", () => {
  it("shows a user their own tree at once, with its counts and newest accounts", async () => {
    const { world } = treeWorld();
    await invitesOf(world, "alice", "dan");
    const result = (await world.run(TREE_NODE, ALICE, firstStep())) as Completed;
    const values = formValues(result.form);
    expect(values).toMatchObject({
      accountjid: [at("alice")],
      accounts: ["5"],
      deepest: ["3"],
      pending: ["2"],
      "root-pending": ["1"],
      newest: [
        `${at("dan")} — 2026-11-26T01:59:02Z`,
        `${at("carol")} — 2026-11-25T01:59:02Z`,
        `${at("bob")} — 2026-11-24T01:59:02Z`,
      ],
    });
    expect(values.tree?.[0]).toBe("• bob@example.org — joined 24 Nov 2026");
    expect(values.tree).toContain("    • dan@example.org — 1 pending — joined 26 Nov 2026");
  });

  it("asks an admin whose tree and what to do: show, revoke, or disable its accounts", async () => {
    const { world, accounts } = treeWorld();
    await invitesOf(world, "bob", "carol");
    const ask = await world.run(TREE_NODE, `${ADMIN}/pc`, firstStep());
    expect(ask.status).toBe("executing");
    const show = (await world.run(
      TREE_NODE,
      `${ADMIN}/pc`,
      nextStep({ accountjid: ["bob@example.org"] }),
    )) as Completed;
    expect(formValues(show.form).pending).toEqual(["2"]);
    const bad = await world.run(TREE_NODE, `${ADMIN}/pc`, nextStep({ accountjid: ["nobody"] }));
    expect(bad).toMatchObject({ status: "executing", note: { type: "error" } });
    const revoked = (await world.run(
      TREE_NODE,
      `${ADMIN}/pc`,
      nextStep({ accountjid: ["bob@example.org"], action: ["revoke"] }),
    )) as Completed;
    expect(revoked.note?.text).toBe(
      "Revoked 2 pending invites of bob@example.org and the 4 accounts in its invite tree.",
    );
    expect(formValues(revoked.form).pending).toEqual(["0"]);
    const disabled = (await world.run(
      TREE_NODE,
      `${ADMIN}/pc`,
      nextStep({ accountjid: ["bob@example.org"], action: ["disable"] }),
    )) as Completed;
    expect(disabled.note?.text).toContain("Disabled 2 accounts: carol@example.org, dan@example.org.");
    expect([...accounts.disabled]).toEqual([at("carol"), at("dan")]);
  });
});
