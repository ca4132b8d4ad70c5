import { describe, expect, it } from "vitest";
import type { Executing } from "../../../src/adhoc/registry.js";
import { CREATE_CIRCLE_NODE, EDIT_CIRCLE_NODE, LIST_CIRCLES_NODE } from "../../../src/commands/circle-commands.js";
import { CIRCLE_INVITE_NODE } from "../../../src/commands/circle-invite-commands.js";
import { ACCOUNT_INVITE_NODE, CONTACT_INVITE_NODE } from "../../../src/commands/invite-commands.js";
import { ADMIN, commandWorld, firstStep, formValues, nextStep, tableRows } from "../../helpers/command-world.js";

const ADMIN_FULL = `${ADMIN}/desk`;
const ALICE = "alice@example.org/phone";

describe("circles over chat", () => {
  it("lets an admin create a circle, fill it and see it", async () => {
    const world = commandWorld();
    expect(await world.say("circles", ADMIN_FULL)).toBe(
      'There are no circles yet. Say "circle create NAME" to make one.',
    );
    expect(await world.say("circle", ADMIN_FULL, "create Family")).toMatch(
      /^Created the circle Family \(id \S{12}\)\./u,
    );
    expect(await world.say("circle", ADMIN_FULL, "add alice@example.org to family")).toMatch(
      /^Added\. Family \(id \S{12}\) now has 1 member: alice@example\.org; no group chats\.$/u,
    );
    expect(await world.say("circle", ADMIN_FULL, "add-chat kitchen@conference.example.org to Family")).toMatch(
      /now has group chats: kitchen@conference\.example\.org\.$/u,
    );
    expect(await world.say("circles", ADMIN_FULL)).toMatch(
      /^Circles \(1\):\n• Family \(id \S{12}\): 1 member: alice@example\.org; group chats: kitchen@conference\.example\.org$/u,
    );
  });

  it("takes quoted names with the words the grammar uses, and renames, removes and deletes", async () => {
    const world = commandWorld();
    await world.say("circle", ADMIN_FULL, 'create "Back to School"');
    expect(await world.say("circle", ADMIN_FULL, 'rename "Back to School" to "School from home"')).toBe(
      "Renamed: the circle is now called School from home.",
    );
    await world.say("circle", ADMIN_FULL, 'add bob@example.org to "School from home"');
    expect(await world.say("circle", ADMIN_FULL, 'remove bob@example.org from "School from home"')).toMatch(
      /^Removed\./u,
    );
    expect(await world.say("circle", ADMIN_FULL, 'delete "school from home"')).toBe(
      "Deleted the circle School from home; its 0 members keep their accounts and contacts.",
    );
  });

  it("answers a user with their own circles, and refuses to let them manage any", async () => {
    const world = commandWorld();
    await world.say("circle", ADMIN_FULL, "create Family");
    expect(await world.say("circles", ALICE)).toBe("You are not a member of any circle.");
    await world.say("circle", ADMIN_FULL, "add alice@example.org to Family");
    expect(await world.say("circles", ALICE)).toMatch(/^Your circles \(1\):\n• Family/u);
    expect(await world.say("circle", ALICE, "Family")).toMatch(/^Family \(id \S{12}\): 1 member/u);
    await expect(world.say("circle", ALICE, "create Mine")).rejects.toMatchObject({ code: "circles-admins-only" });
    expect(await world.say("circle", ALICE)).toBe('Say "circles" to see yours.');
  });

  it("shows the grammar for anything it does not understand", async () => {
    const world = commandWorld();
    expect(await world.say("circle", ADMIN_FULL, "add to")).toMatch(/^Say one of:\ncircle create NAME\n/u);
    expect(await world.say("circle", ADMIN_FULL)).toMatch(/^Say one of:/u);
  });
});

describe("account invites to circles", () => {
  it("makes an account invite to a circle by chat, naming what the newcomer joins", async () => {
    const world = commandWorld();
    await world.say("circle", ADMIN_FULL, 'create "Chess club"');
    const reply = await world.say("invite account", ADMIN_FULL, 'to "chess club" chat hall@conference.example.org');
    expect(reply).toMatch(/\nWhoever registers with it joins Chess club, hall@conference\.example\.org\.$/u);
    const [circle] = await world.circles.list(world.ctx(ADMIN_FULL).actor);
    const { invites } = await world.store.listPage({ offset: 0, limit: 5 });
    expect(invites[0]?.record.additional_data).toMatchObject({
      groups: [circle?.id],
      rooms: ["hall@conference.example.org"],
    });
  });

  it("offers the circles on the account invite form and keeps the choice", async () => {
    const world = commandWorld();
    await world.say("circle", ADMIN_FULL, "create Family");
    const [circle] = await world.circles.list(world.ctx(ADMIN_FULL).actor);
    const form = (await world.run(ACCOUNT_INVITE_NODE, ADMIN_FULL, firstStep())) as Executing;
    const offered = form.form.getChildren("field").find((f) => f.attrs.var === "circles");
    expect(offered?.getChildren("option").map((o) => o.getChildText("value"))).toEqual([circle?.id]);
    const done = await world.run(ACCOUNT_INVITE_NODE, ADMIN_FULL, nextStep({ circles: [circle?.id ?? ""] }));
    expect(done.note?.text).toBe("Whoever registers with it joins Family.");
  });

  it("refuses a circle that is not there, creating nothing", async () => {
    const world = commandWorld();
    await expect(world.say("invite account", ADMIN_FULL, "to Nowhere")).rejects.toMatchObject({
      code: "circle-not-found",
    });
    expect((await world.store.listPage({ offset: 0, limit: 5 })).invites).toEqual([]);
  });
});

describe("Invite to a circle, for users who may invite", () => {
  async function worldWithCircles() {
    const world = commandWorld({ allowUserInvites: true });
    await world.say("circle", ADMIN_FULL, "create Family");
    await world.say("circle", ADMIN_FULL, "create Work");
    await world.say("circle", ADMIN_FULL, "add alice@example.org to Family");
    const [family, work] = await world.circles.list(world.ctx(ADMIN_FULL).actor);
    return { world, family, work };
  }

  it("asks which of their own circles, with an optional field, and keeps the choice in the invite", async () => {
    const { world, family } = await worldWithCircles();
    const form = (await world.run(CIRCLE_INVITE_NODE, ALICE, firstStep())) as Executing;
    const field = form.form.getChildren("field").find((f) => f.attrs.var === "circles");
    expect(field?.getChildren("option").map((o) => o.attrs.label)).toEqual(["Family"]);
    expect(field?.getChild("required")).toBeUndefined();
    const done = await world.run(CIRCLE_INVITE_NODE, ALICE, nextStep({ circles: [family?.id ?? ""] }));
    expect(done.note?.text).toBe("Whoever registers with it joins Family.");
    const { invites } = await world.store.listPage({ offset: 0, limit: 5 });
    expect(invites[0]?.record).toMatchObject({
      type: "roster",
      allow_registration: true,
      additional_data: { groups: [family?.id] },
    });
  });

  it("makes the same invite by chat: invite to NAME", async () => {
    const { world, family } = await worldWithCircles();
    expect(await world.say("invite to", ALICE, "family")).toMatch(/\nWhoever registers with it joins Family\.$/u);
    const { invites } = await world.store.listPage({ offset: 0, limit: 5 });
    expect(invites[0]?.record.additional_data?.groups).toEqual([family?.id]);
  });

  it("leaves #invite one stage, as the apps' buttons need it, and without circles", async () => {
    const { world } = await worldWithCircles();
    const done = await world.run(CONTACT_INVITE_NODE, ALICE, firstStep());
    expect(done.form?.attrs.type).toBe("result");
    const { invites } = await world.store.listPage({ offset: 0, limit: 5 });
    expect(invites[0]?.record.additional_data?.groups).toBeUndefined();
  });

  it("refuses a circle that is not theirs, creating nothing", async () => {
    const { world, work } = await worldWithCircles();
    await expect(world.run(CIRCLE_INVITE_NODE, ALICE, nextStep({ circles: [work?.id ?? ""] }))).rejects.toMatchObject({
      code: "circle-not-found",
    });
    await expect(world.say("invite to", ALICE, "Work")).rejects.toMatchObject({ code: "circle-not-found" });
    expect((await world.store.listPage({ offset: 0, limit: 5 })).invites).toEqual([]);
  });

  it("is not offered to someone who may not invite new users, and says so to someone in no circle", async () => {
    const closed = commandWorld({ allowUserInvites: false });
    expect(closed.adhoc(CIRCLE_INVITE_NODE).allowed(closed.ctx(ALICE))).toBe(false);
    const open = commandWorld({ allowUserInvites: true });
    expect((await open.run(CIRCLE_INVITE_NODE, ALICE, firstStep())).note?.text).toBe(
      "You are not a member of any circle.",
    );
  });
});

describe("account invites with a role", () => {
  it("gives the role where the server sets roles, and warns about an administrator", async () => {
    const world = commandWorld({}, undefined, { rolesOnJoin: true });
    expect(await world.say("invite account", ADMIN_FULL, "as limited")).toMatch(
      /\nThe new account's role: Limited\.$/u,
    );
    expect(await world.say("invite account", ADMIN_FULL, "as admin")).toMatch(
      /\nWhoever registers with it becomes an administrator: they can manage the whole server\.$/u,
    );
    const form = (await world.run(ACCOUNT_INVITE_NODE, ADMIN_FULL, firstStep())) as Executing;
    expect(form.form.getChildren("field").map((f) => f.attrs.var)).toContain("role");
  });

  it("says why not where the server sets none, and offers no role field", async () => {
    const world = commandWorld();
    await expect(world.say("invite account", ADMIN_FULL, "as member")).rejects.toMatchObject({
      code: "roles-unsupported",
    });
    const form = (await world.run(ACCOUNT_INVITE_NODE, ADMIN_FULL, firstStep())) as Executing;
    expect(form.form.getChildren("field").map((f) => f.attrs.var)).not.toContain("role");
  });
});

describe("circles over ad-hoc", () => {
  it("creates a circle from the form, with members and chats", async () => {
    const world = commandWorld();
    const form = (await world.run(CREATE_CIRCLE_NODE, ADMIN_FULL, firstStep())) as Executing;
    expect(Object.keys(formValues(form.form))).toEqual(["name", "members", "rooms"]);
    const done = await world.run(
      CREATE_CIRCLE_NODE,
      ADMIN_FULL,
      nextStep({ name: ["Family"], members: ["alice@example.org", ""], rooms: ["hall@conference.example.org"] }),
    );
    expect(done.note?.text).toMatch(
      /^Created\. Family \(id \S{12}\) now has 1 member: alice@example\.org; group chats: hall@/u,
    );
  });

  it("lists circles as a table: every circle for admins, their own for users", async () => {
    const world = commandWorld();
    await world.say("circle", ADMIN_FULL, "create Family");
    await world.say("circle", ADMIN_FULL, "create Work");
    await world.say("circle", ADMIN_FULL, "add alice@example.org to Work");
    const all = await world.run(LIST_CIRCLES_NODE, ADMIN_FULL, firstStep());
    expect(tableRows(all.form).map((row) => row.name)).toEqual(["Family", "Work"]);
    const own = await world.run(LIST_CIRCLES_NODE, ALICE, firstStep());
    expect(tableRows(own.form)).toEqual([
      {
        name: "Work",
        id: expect.stringMatching(/^\S{12}$/u),
        members: "1 member: alice@example.org",
        rooms: "no group chats",
      },
    ]);
  });

  it("edits a circle in two stages: pick it, then change name, members and chats; or delete it", async () => {
    const world = commandWorld();
    await world.say("circle", ADMIN_FULL, "create Family");
    await world.say("circle", ADMIN_FULL, "add alice@example.org to Family");
    const pick = (await world.run(EDIT_CIRCLE_NODE, ADMIN_FULL, firstStep())) as Executing;
    const [option] = pick.form.getChild("field")?.getChildren("option") ?? [];
    const id = option?.getChildText("value") ?? "";
    const edit = (await world.run(
      EDIT_CIRCLE_NODE,
      ADMIN_FULL,
      nextStep({ circle: [id] }, { action: "next" }),
    )) as Executing;
    expect(formValues(edit.form)).toMatchObject({ name: ["Family"], members: ["alice@example.org"], rooms: [] });
    const saved = await world.run(
      EDIT_CIRCLE_NODE,
      ADMIN_FULL,
      nextStep({ name: ["Smiths"], members: ["Bob@example.org"], rooms: [], delete: ["0"] }, { state: edit.state }),
    );
    expect(saved.note?.text).toMatch(
      /^Saved\. Smiths \(id \S{12}\) now has 1 member: bob@example\.org; no group chats\.$/u,
    );
    const gone = await world.run(EDIT_CIRCLE_NODE, ADMIN_FULL, nextStep({ delete: ["1"] }, { state: edit.state }));
    expect(gone.note?.text).toBe("Deleted the circle Smiths.");
    expect(await world.circles.list(world.ctx(ADMIN_FULL).actor)).toEqual([]);
  });

  it("offers its management commands to admins only", () => {
    const world = commandWorld();
    expect(world.adhoc(CREATE_CIRCLE_NODE).allowed(world.ctx(ALICE))).toBe(false);
    expect(world.adhoc(EDIT_CIRCLE_NODE).allowed(world.ctx(ALICE))).toBe(false);
    expect(world.adhoc(LIST_CIRCLES_NODE).allowed(world.ctx(ALICE))).toBe(true);
    expect(world.adhoc(CREATE_CIRCLE_NODE).allowed(world.ctx(ADMIN_FULL))).toBe(true);
  });
});
