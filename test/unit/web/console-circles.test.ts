/**
 * Circles in the console through Fastify's inject (docs/console.md, "Circles"): the circles' page, an account
 * invite into circles, "Invite to a circle" for users, and admins managing circles; each one call of the domain
 * with the session's actor, under the same rules as chat and ad-hoc. Without any circle, no circle part is drawn.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { circleIdsOf } from "../../../src/invites/record.js";
import { ConsoleBrowser, type ConsoleCircleWorld, consoleCircleWorld } from "../../helpers/console-world.js";
import { POLICY, WEB_URL } from "../../helpers/web-fakes.js";
import { textOf } from "../../helpers/web-form.js";

const ALICE = "alice@example.org";
const BOB = "bob@example.org";
const ADMIN = "admin@example.org";

let world: ConsoleCircleWorld;
let browser: ConsoleBrowser;

beforeEach(() => {
  world = consoleCircleWorld();
  browser = new ConsoleBrowser(world.server);
});

const actor = (jid: string) => actorFor(jid, POLICY);
const pendingOf = async (jid: string) => (await world.service.listInvites(actor(jid))).invites;

async function logIn(jid: string, on: ConsoleBrowser = browser) {
  const path = await world.loginPath(jid);
  const page = await on.get(path);
  const posted = await on.post(path, {}, { csrfFrom: page.body });
  return on.get(String(posted.headers.location));
}

/** Family (alice, with a group chat) and Chess (bob), made as chat `circle create` and `circle add` make them. */
async function twoCircles(): Promise<{ family: string; chess: string }> {
  const admin = actor(ADMIN);
  const family = await world.circles.create(admin, "Family", { members: [ALICE] });
  await world.circleStore.replace({ ...family, rooms: ["kitchen@conference.example.org"] });
  const chess = await world.circles.create(admin, "Chess", { members: [BOB] });
  return { family: family.id, chess: chess.id };
}

const circleItem = (body: string, id: string) =>
  body.split('<li class="circle" data-id="').find((part) => part.startsWith(`${id}"`)) ?? "";

/** A form with a field given more than once (check boxes), posted as our page posts it. */
async function postPairs(path: string, pairs: [string, string][], csrfFrom: string) {
  const csrf = /name="csrf" value="([^"]+)"/u.exec(csrfFrom)?.[1] ?? "";
  const cookie = [...browser.cookies].map(([name, { value }]) => `${name}=${value}`).join("; ");
  return world.server.inject({
    method: "POST",
    url: path,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: WEB_URL,
      "sec-fetch-site": "same-origin",
      cookie,
    },
    payload: new URLSearchParams([["csrf", csrf], ...pairs]).toString(),
  });
}

describe("without any circle", () => {
  it("shows no circle part on anyone's first page", async () => {
    for (const jid of [ADMIN, ALICE]) {
      const page = await logIn(jid, new ConsoleBrowser(world.server));
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toMatch(/circles-link|circles-choice|create-circle-invite/u);
    }
  });
});

describe("inviting into circles", () => {
  it("offers an admin's account invite the circles, and keeps the chosen ones as the ad-hoc form does", async () => {
    const { family, chess } = await twoCircles();
    const page = await logIn(ADMIN);
    expect(page.body).toContain('class="circles-link"');
    expect(textOf(page.body, { className: "circles-choice" })).toContain("Circles the new user joins (optional)");
    const made = await postPairs(
      "/console/invites",
      [
        ["kind", "account"],
        ["ttl", "604800"],
        ["uses", "2"],
        ["note", ""],
        ["circles", family],
        ["circles", chess],
      ],
      page.body,
    );
    expect(made.statusCode).toBe(200);
    expect(made.body).toContain('class="created-link"');
    const [invite] = await pendingOf(ADMIN);
    expect(invite === undefined ? [] : circleIdsOf(invite.stored.record)).toEqual([family, chess]);
    expect(made.body).toContain("Circles: Family and Chess");
  });

  it("gives a user 'Invite to a circle' for their own circles only, through the same domain call", async () => {
    const { family, chess } = await twoCircles();
    const page = await logIn(ALICE);
    const form = textOf(page.body, { className: "create-circle-invite" }) ?? "";
    expect(form).toContain("Invite to a circle");
    expect(page.body).toContain(`<option value="${family}">Family</option>`);
    expect(page.body).not.toContain(chess);
    const made = await browser.post("/console/circles/invite", { circle: family }, { csrfFrom: page.body });
    expect(made.statusCode).toBe(200);
    const [invite] = await pendingOf(ALICE);
    expect(invite?.kind).toBe("contact");
    expect(invite === undefined ? [] : circleIdsOf(invite.stored.record)).toEqual([family]);
    expect(invite?.stored.record.allow_registration).toBe(true);
    const other = await browser.post("/console/circles/invite", { circle: chess }, { csrfFrom: page.body });
    expect(other.statusCode).toBe(404);
    expect(textOf(other.body, { className: "form-error" })).toBe(
      "That circle is not there (any more), or is not one of yours.",
    );
    expect(await pendingOf(ALICE)).toHaveLength(1);
    expect((await browser.post("/console/circles/invite", { circle: family })).statusCode).toBe(403);
  });

  it("offers nothing, and refuses, to a user who may not invite new users", async () => {
    world = consoleCircleWorld({ ...POLICY, allowUserInvites: false });
    browser = new ConsoleBrowser(world.server);
    const { family } = await twoCircles();
    const page = await logIn(ALICE);
    expect(page.body).not.toContain("create-circle-invite");
    const refused = await browser.post("/console/circles/invite", { circle: family }, { csrfFrom: page.body });
    expect(refused.statusCode).toBe(403);
    expect(await pendingOf(ALICE)).toEqual([]);
  });
});

describe("the circles' page", () => {
  it("lists every circle with its members and group chats for an admin, and a user's own for a user", async () => {
    const { family, chess } = await twoCircles();
    await logIn(ADMIN);
    const all = await browser.get("/console/circles");
    expect(all.statusCode).toBe(200);
    const item = circleItem(all.body, family);
    expect(item).toContain(`<span class="account">${ALICE}</span>`);
    expect(item).toContain("Group chats: kitchen@conference.example.org");
    expect(item).toContain('class="remove-member"');
    expect(circleItem(all.body, chess)).toContain("No group chats.");
    expect(all.body).toContain('class="create-circle"');
    const user = new ConsoleBrowser(world.server);
    await logIn(BOB, user);
    const own = await user.get("/console/circles");
    expect(own.body).toContain(chess);
    expect(own.body).not.toContain(family);
    expect(own.body).not.toMatch(/remove-member|add-member|delete-circle|create-circle/u);
  });

  it("lets an admin create a circle, add and remove a member, and delete it after asking", async () => {
    const page = await logIn(ADMIN);
    const made = await browser.post("/console/circles", { name: "Book club" }, { csrfFrom: page.body });
    expect(made.statusCode).toBe(200);
    expect(textOf(made.body, { className: "done" })).toBe("Created the circle Book club.");
    const [circle] = await world.circles.list(actor(ADMIN));
    const id = circle?.id ?? "";
    const added = await browser.post("/console/circles/add", { circle: id, jid: ALICE }, { csrfFrom: made.body });
    expect(textOf(added.body, { className: "done" })).toBe(`Added ${ALICE} to Book club.`);
    expect((await world.circles.list(actor(ADMIN)))[0]?.members).toEqual([ALICE]);
    const again = await browser.post("/console/circles/add", { circle: id, jid: ALICE }, { csrfFrom: added.body });
    expect(textOf(again.body, { className: "done" })).toBe(`${ALICE} is a member of Book club already.`);
    const removed = await browser.post("/console/circles/remove", { circle: id, jid: ALICE }, { csrfFrom: made.body });
    expect(textOf(removed.body, { className: "done" })).toBe(`${ALICE} is no longer a member of Book club.`);
    expect((await world.circles.list(actor(ADMIN)))[0]?.members).toEqual([]);
    const asked = await browser.post("/console/circles/delete", { circle: id }, { csrfFrom: made.body });
    expect(textOf(asked.body, { className: "confirm-body" })).toContain("The circle and its memberships are removed.");
    expect(await world.circles.list(actor(ADMIN))).toHaveLength(1);
    const deleted = await browser.post(
      "/console/circles/delete",
      { circle: id, confirm: "yes" },
      { csrfFrom: asked.body },
    );
    expect(textOf(deleted.body, { className: "done" })).toBe("Deleted the circle Book club.");
    expect(await world.circles.list(actor(ADMIN))).toEqual([]);
  });

  it("shows the catalogue's refusals with their status, and changes nothing", async () => {
    const { family } = await twoCircles();
    const page = await logIn(ADMIN);
    const taken = await browser.post("/console/circles", { name: "FAMILY" }, { csrfFrom: page.body });
    expect(taken.statusCode).toBe(409);
    expect(textOf(taken.body, { className: "form-error" })).toBe("There is a circle called FAMILY already.");
    const foreign = { circle: family, jid: "zoe@elsewhere.org" };
    const outside = await browser.post("/console/circles/add", foreign, { csrfFrom: page.body });
    expect(outside.statusCode).toBe(400);
    expect(textOf(outside.body, { className: "form-error" })).toBe(
      "Only accounts on example.org (user@example.org) can be members of a circle.",
    );
    const gone = await browser.post("/console/circles/delete", { circle: "AAAAAAAAAAAA" }, { csrfFrom: page.body });
    expect(gone.statusCode).toBe(404);
    expect(await world.circles.list(actor(ADMIN))).toHaveLength(2);
  });

  it("refuses a user's changes as chat does, and any POST without the form token", async () => {
    const { family } = await twoCircles();
    const page = await logIn(ALICE);
    for (const [path, fields] of [
      ["/console/circles", { name: "Mine" }],
      ["/console/circles/add", { circle: family, jid: BOB }],
      ["/console/circles/remove", { circle: family, jid: ALICE }],
      ["/console/circles/delete", { circle: family, confirm: "yes" }],
    ] as const) {
      const refused = await browser.post(path, fields, { csrfFrom: page.body });
      expect(refused.statusCode).toBe(403);
      expect(textOf(refused.body, { className: "form-error" })).toBe("Only administrators can manage circles.");
    }
    const admin = new ConsoleBrowser(world.server);
    await logIn(ADMIN, admin);
    expect((await admin.post("/console/circles/delete", { circle: family, confirm: "yes" })).statusCode).toBe(403);
    const [after] = (await world.circles.list(actor(ADMIN))).filter((circle) => circle.id === family);
    expect(after?.members).toEqual([ALICE]);
  });
});
