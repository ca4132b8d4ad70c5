/** The chat keywords of issue 23's domain: `invite edit`, `tree` and `revoke tree` (manage-chat.ts, relations-commands.ts). */
import { describe, expect, it } from "vitest";
import { TREE_LINES } from "../../../src/commands/tree-text.js";
import { inviteId } from "../../../src/invites/pending.js";
import { ADMIN, commandWorld, NOW_MS } from "../../helpers/command-world.js";

const ALICE = "alice@example.org/phone";
const BOB = "bob@example.org/pc";

describe("invite edit", () => {
  it("gives one of your invites a new lifetime from now", async () => {
    const world = commandWorld();
    const { token } = (await world.service.createContactInvite(world.ctx(ALICE).actor, ALICE)).invite;
    const id = inviteId(token);
    expect(await world.say("invite edit", ALICE, `${id} expires 1d`)).toBe(
      `Invite ${id} (contact invite) now expires in 1 day, until Sat, 28 Nov 2026 01:59 UTC.`,
    );
    expect(world.logs.some((line) => line.includes("Invite edited"))).toBe(true);
    await expect(world.say("invite edit", ALICE, `${id} expires 4w`)).rejects.toMatchObject({
      code: "invite-expiry-not-allowed",
    });
    await expect(world.say("invite edit", BOB, `${id} expires 1h`)).rejects.toMatchObject({
      code: "invite-not-found",
    });
  });

  it("gives an admin's counted invite new uses, and says how many are left", async () => {
    const world = commandWorld();
    const admin = world.ctx(`${ADMIN}/pc`).actor;
    const { token } = (await world.service.createAccountInvite(admin, `${ADMIN}/pc`, { maxUses: 3 })).invite;
    const id = inviteId(token);
    expect(await world.say("invite edit", `${ADMIN}/pc`, `${id} uses 10 expires 4w`)).toBe(
      `Invite ${id} (account invite) now expires in 4 weeks, until Fri, 25 Dec 2026 01:59 UTC; uses: 10 of 10 left.`,
    );
    expect(await world.say("invite edit", `${ADMIN}/pc`, id)).toBe(
      'Say "invite edit ID [expires 1h|1d|1w|4w] [uses N]".',
    );
  });

  it("is offered to those who may manage invites", () => {
    const world = commandWorld();
    expect(world.chat("invite edit").allowed(world.ctx(ALICE))).toBe(true);
    expect(world.chat("invite edit").allowed(world.ctx("eve@elsewhere.net/x"))).toBe(false);
  });
});

describe("tree", () => {
  it("shows your own tree, indented two spaces a level, with its counts", async () => {
    const world = commandWorld();
    world.store.recordUse("alice@example.org", "bob@example.org");
    world.store.recordUse("bob@example.org", "carol@example.org");
    world.store.recordUse("alice@example.org", "dan@example.org");
    expect(await world.say("tree", ALICE)).toBe(
      [
        "Invite tree of alice@example.org (3 accounts, 2 levels deep; no pending invites):",
        "• bob@example.org",
        "  • carol@example.org",
        "• dan@example.org",
      ].join("\n"),
    );
    expect(await world.say("tree", BOB, "")).toBe(
      "Invite tree of bob@example.org (1 account, 1 level deep; no pending invites):\n• carol@example.org",
    );
    expect(await world.say("tree", "carol@example.org/x")).toBe(
      "carol@example.org has not invited anyone who accepted yet.",
    );
  });

  it("says each account's pending invites and when it joined, and names the newest accounts", async () => {
    const world = commandWorld();
    const now = NOW_MS / 1000;
    world.store.recordUse("alice@example.org", "bob@example.org", now - 2 * 86_400);
    world.store.recordUse("bob@example.org", "carol@example.org", now - 3_600);
    world.store.recordUse("alice@example.org", "dan@example.org");
    for (const from of [ALICE, BOB, BOB]) await world.service.createContactInvite(world.ctx(from).actor, from);
    expect(await world.say("tree", ALICE)).toBe(
      [
        "Invite tree of alice@example.org (3 accounts, 2 levels deep; 3 pending invites, 1 of them alice@example.org's own):",
        "• bob@example.org — 2 pending — joined 25 Nov 2026",
        "  • carol@example.org — joined 27 Nov 2026",
        "• dan@example.org",
        "Newest accounts: carol@example.org (27 Nov 2026 00:59 UTC), bob@example.org (25 Nov 2026 01:59 UTC).",
      ].join("\n"),
    );
    expect(await world.say("tree", "dan@example.org/x")).toBe(
      "dan@example.org has not invited anyone who accepted yet.",
    );
    await world.service.createContactInvite(world.ctx("dan@example.org/x").actor, "dan@example.org/x");
    expect(await world.say("tree", "dan@example.org/x")).toBe(
      "dan@example.org has not invited anyone who accepted yet. It has 1 pending invite.",
    );
  });

  it("shows admins anyone's, and refuses users another's", async () => {
    const world = commandWorld();
    world.store.recordUse("alice@example.org", "bob@example.org");
    expect(await world.say("tree", `${ADMIN}/pc`, "Alice@Example.org")).toBe(
      "Invite tree of alice@example.org (1 account, 1 level deep; no pending invites):\n• bob@example.org",
    );
    await expect(world.say("tree", BOB, "alice@example.org")).rejects.toMatchObject({
      code: "invite-tree-admins-only",
    });
    expect(await world.say("tree", `${ADMIN}/pc`, "not a jid")).toBe(
      '"not a jid" is not a JID (user@domain). Say "tree" or "tree user@domain".',
    );
  });

  it("caps a long tree at TREE_LINES lines and counts the rest", async () => {
    const world = commandWorld();
    for (let i = 0; i < TREE_LINES + 7; i += 1) world.store.recordUse("alice@example.org", `u${1000 + i}@example.org`);
    const lines = (await world.say("tree", ALICE)).split("\n");
    expect(lines[0]).toBe(
      `Invite tree of alice@example.org (${TREE_LINES + 7} accounts, 1 level deep; no pending invites):`,
    );
    expect(lines).toHaveLength(TREE_LINES + 2);
    expect(lines.at(-1)).toBe("… and 7 more.");
  });
});

describe("revoke tree", () => {
  it("revokes the pending invites of an account and of its tree (admins)", async () => {
    const world = commandWorld();
    world.store.recordUse("alice@example.org", "bob@example.org");
    await world.service.createContactInvite(world.ctx(ALICE).actor, ALICE);
    await world.service.createContactInvite(world.ctx(BOB).actor, BOB);
    await world.service.createContactInvite(world.ctx("carol@example.org/x").actor, "carol@example.org/x");
    expect(await world.say("revoke", `${ADMIN}/pc`, "tree Alice@example.org")).toBe(
      "Revoked 2 pending invites of alice@example.org and the 1 account in its invite tree.",
    );
    expect(await world.say("revoke", `${ADMIN}/pc`, "tree nobody")).toBe('"nobody" is not a JID (user@domain).');
    await expect(world.say("revoke", ALICE, "tree alice@example.org")).rejects.toMatchObject({
      code: "revoke-all-admins-only",
    });
  });
});
