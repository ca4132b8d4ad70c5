/**
 * The web console's second part through Fastify's inject (docs/console.md): editing an invite, the invite tree and
 * its revocation, and the API keys' page; each with its permission rules and form tokens.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { inviteId } from "../../../src/invites/pending.js";
import { actorFor } from "../../../src/invites/permissions.js";
import { ConsoleBrowser, type ConsoleWorld, consoleWorld } from "../../helpers/console-world.js";
import { POLICY } from "../../helpers/web-fakes.js";
import { textOf } from "../../helpers/web-form.js";

const ALICE = "alice@example.org";
const BOB = "bob@example.org";
const CAROL = "carol@example.org";
const DAVE = "dave@example.org";
const ADMIN = "admin@example.org";
const NOW = Date.UTC(2026, 10, 27, 12) / 1000;

let world: ConsoleWorld;
let browser: ConsoleBrowser;

beforeEach(() => {
  world = consoleWorld();
  browser = new ConsoleBrowser(world.server);
});

const actor = (jid: string) => actorFor(jid, POLICY);
const pendingOf = async (jid: string) => (await world.service.listInvites(actor(jid))).invites;
const itemOf = (body: string, id: string) =>
  new RegExp(`<li class="invite" data-id="${id}">([\\s\\S]*?)</li>`, "u").exec(body)?.[1] ?? "";

async function adminInvite(maxUses: number): Promise<string> {
  await world.service.createAccountInvite(actor(ADMIN), ADMIN, { maxUses });
  const [invite] = await pendingOf(ADMIN);
  return invite?.id ?? "";
}

describe("editing an invite", () => {
  it("gives an admin's counted invite a new lifetime and more uses in one POST", async () => {
    const id = await adminInvite(3);
    const page = await browser.logIn(world, ADMIN);
    expect(itemOf(page.body, id)).toContain('class="edit-invite"');
    const edited = await browser.post("/console/edit", { id, ttl: "86400", uses: "5" }, { csrfFrom: page.body });
    expect(edited.statusCode).toBe(303);
    const [invite] = await pendingOf(ADMIN);
    expect(invite?.maxUses).toBe(5);
    expect(invite?.expires).toBe(NOW + 86_400);
    expect((await browser.get("/console")).body).toContain("5 of 5 uses left");
  });

  it("offers a user only the lifetimes creating one allows, and no uses for an uncounted invite", async () => {
    await world.service.createContactInvite(actor(ALICE), ALICE);
    const page = await browser.logIn(world, ALICE);
    const [invite] = await pendingOf(ALICE);
    const item = itemOf(page.body, invite?.id ?? "");
    expect([...item.matchAll(/<option value="(\d*)"/gu)].map((m) => m[1])).toEqual(["", "3600", "86400", "604800"]);
    expect(item).not.toContain('name="uses"');
    const refused = await browser.post(
      "/console/edit",
      { id: invite?.id ?? "", ttl: "2419200" },
      { csrfFrom: page.body },
    );
    expect(refused.statusCode).toBe(400);
    expect(textOf(itemOf(refused.body, invite?.id ?? ""), { className: "form-error" })).toBe(
      "Nothing was changed: that expiry is not allowed for this invite.",
    );
    const uses = await browser.post("/console/edit", { id: invite?.id ?? "", uses: "4" }, { csrfFrom: page.body });
    expect(textOf(uses.body, { className: "form-error" })).toContain("only an invite made for several uses");
  });

  it("never edits another user's invite, nor without the form token", async () => {
    const id = await adminInvite(3);
    const page = await browser.logIn(world, ALICE);
    const other = await browser.post("/console/edit", { id, uses: "9" }, { csrfFrom: page.body });
    expect(other.statusCode).toBe(404);
    expect(textOf(other.body, { className: "form-error" })).toBe(
      "None of your pending invites has that id: nothing was changed.",
    );
    const admin = new ConsoleBrowser(world.server);
    await admin.logIn(world, ADMIN);
    expect((await admin.post("/console/edit", { id, uses: "9" })).statusCode).toBe(403);
    expect((await pendingOf(ADMIN))[0]?.maxUses).toBe(3);
  });

  it("answers uses at or below those taken, and a used-up invite, with the catalogue's refusal", async () => {
    const id = await adminInvite(2);
    const [invite] = await pendingOf(ADMIN);
    world.store.takeUse(invite?.stored.hash ?? "");
    const page = await browser.logIn(world, ADMIN);
    const low = await browser.post("/console/edit", { id, uses: "1" }, { csrfFrom: page.body });
    expect(low.statusCode).toBe(400);
    expect(textOf(itemOf(low.body, id), { className: "form-error" })).toBe(
      "Nothing was changed: the number of uses must be above the uses already taken, and at most 100.",
    );
    const empty = await browser.post("/console/edit", { id, ttl: "", uses: "" }, { csrfFrom: page.body });
    expect(textOf(empty.body, { className: "form-error" })).toContain("choose a new expiry");
    world.store.takeUse(invite?.stored.hash ?? "");
    const gone = await browser.post("/console/edit", { id, uses: "5" }, { csrfFrom: page.body });
    expect(gone.statusCode).toBe(404);
    expect(textOf(gone.body, { className: "form-error" })).toContain("nothing was changed");
  });
});

describe("the invite tree", () => {
  beforeEach(() => {
    world.store.recordUse(ALICE, CAROL);
    world.store.recordUse(CAROL, DAVE);
    world.store.recordUse(BOB, "erin@example.org");
  });

  it("shows a user their own tree as nested lists, and refuses another's", async () => {
    await browser.logIn(world, ALICE);
    const own = await browser.get("/console/tree");
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(
      `<ul class="tree"><li><span class="account">${CAROL}</span><ul class="tree"><li><span class="account">${DAVE}</span></li></ul></li></ul>`,
    );
    expect(own.body).not.toContain('class="revoke-tree"');
    const other = await browser.get(`/console/tree?jid=${encodeURIComponent(BOB)}`);
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain("erin@example.org");
    const page = await browser.get("/console");
    const refused = await browser.post("/console/tree/revoke", { jid: ALICE, confirm: "yes" }, { csrfFrom: page.body });
    expect(refused.statusCode).toBe(403);
  });

  it("says when each account joined, and lists the newest accounts", async () => {
    const now = Math.floor(Date.now() / 1000);
    world.store.recordUse(DAVE, "fred@example.org", now - 86_400);
    await browser.logIn(world, ALICE);
    const own = await browser.get("/console/tree?lang=de");
    const day = new Date((now - 86_400) * 1000).toISOString().slice(0, 10);
    expect(own.body).toContain(
      `<span class="account">fred@example.org</span> <span class="details">beigetreten am ${day}</span>`,
    );
    expect(textOf(own.body, { className: "newest" })).toContain("fred@example.org");
    expect(own.body).toContain("<h2>Neueste Konten</h2>");
  });

  it("lets an admin revoke every pending invite of a tree, after asking, and only with the form token", async () => {
    for (const jid of [ALICE, CAROL, DAVE, BOB]) await world.service.createContactInvite(actor(jid), jid);
    await browser.logIn(world, ADMIN);
    const tree = await browser.get(`/console/tree?jid=${encodeURIComponent(ALICE)}`);
    expect(tree.body).toContain('class="revoke-tree"');
    expect(textOf(tree.body, { className: "tree-summary" })).toBe(
      "Accounts: 2 · Levels: 2 · Pending invites in the tree: 3 (this account's own: 1)",
    );
    expect(tree.body).toContain(`<span class="account">${DAVE}</span> <span class="details">pending invites: 1</span>`);
    expect((await browser.post("/console/tree/revoke", { jid: ALICE, confirm: "yes" })).statusCode).toBe(403);
    const asked = await browser.post("/console/tree/revoke", { jid: ALICE }, { csrfFrom: tree.body });
    expect(textOf(asked.body, { className: "confirm-body" })).toContain(`Every pending invite of ${ALICE}`);
    expect(await pendingOf(CAROL)).toHaveLength(1);
    const done = await browser.post("/console/tree/revoke", { jid: ALICE, confirm: "yes" }, { csrfFrom: asked.body });
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body, { className: "done" })).toBe("3 pending invites revoked. 3 accounts in the tree.");
    for (const jid of [ALICE, CAROL, DAVE]) expect(await pendingOf(jid)).toEqual([]);
    expect(await pendingOf(BOB)).toHaveLength(1);
  });
});

describe("an admin's list of every pending invite", () => {
  const idsOn = (body: string) => [...body.matchAll(/<li class="invite" data-id="([^"]+)"/gu)].map((m) => m[1]);

  it("filters by inviter, kind and expiring within a day, and pages 25 at a time", async () => {
    await world.service.createContactInvite(actor(ALICE), ALICE);
    await world.service.createContactInvite(actor(BOB), BOB);
    await world.service.createAccountInvite(actor(ADMIN), ADMIN, { ttlSeconds: 3600 });
    const page = await browser.logIn(world, ADMIN);
    expect(page.body).toContain('class="list-filters"');
    expect(idsOn(page.body)).toHaveLength(3);
    const alices = await browser.get(`/console?inviter=${encodeURIComponent(ALICE)}`);
    expect(idsOn(alices.body)).toEqual([(await pendingOf(ALICE))[0]?.id]);
    const accounts = await browser.get("/console?kind=account");
    expect(idsOn(accounts.body)).toEqual([(await pendingOf(ADMIN))[0]?.id]);
    expect(idsOn((await browser.get("/console?soon=1")).body)).toEqual([(await pendingOf(ADMIN))[0]?.id]);
    for (let i = 0; i < 25; i += 1) await world.service.createContactInvite(actor(BOB), BOB);
    const first = await browser.get("/console");
    expect(idsOn(first.body)).toHaveLength(25);
    expect(textOf(first.body, { className: "paging" })).toBe("Page 1 of 2 Next");
    const second = await browser.get("/console?page=2");
    expect(idsOn(second.body)).toHaveLength(3);
    // The filters are the store's: a filtered list is paged whole, and its pages counted among its invites.
    const contacts = await browser.get("/console?kind=contact");
    expect(idsOn(contacts.body)).toHaveLength(25);
    expect(textOf(contacts.body, { className: "more" })).toBe("Showing 25 of 27 invites.");
    expect(textOf(contacts.body, { className: "paging" })).toBe("Page 1 of 2 Next");
    expect(idsOn((await browser.get("/console?kind=contact&page=2")).body)).toHaveLength(2);
    const accountsNow = await browser.get("/console?kind=account");
    expect(idsOn(accountsNow.body)).toHaveLength(1);
    expect(accountsNow.body).not.toContain('class="paging"');
  });

  it("shows admins the summary of the last 7 and 30 days, and users none", async () => {
    const made = await world.service.createContactInvite(actor(ALICE), ALICE);
    await world.service.createAccountInvite(actor(ADMIN), ADMIN, { ttlSeconds: 3600 });
    await world.service.createPasswordResetInvite(actor(ADMIN), ADMIN, ALICE);
    await world.store.stats.noteUse({
      entryId: "1-0",
      invite: inviteId(made.invite.token),
      at: Date.UTC(2026, 10, 27, 11) / 1000,
    });
    world.advanceMs(2 * 3_600_000);
    await browser.logIn(world, ADMIN);
    const page = await browser.get("/console");
    const summary = /<section class="summary".*?<\/section>/su.exec(page.body)?.[0] ?? "";
    const cells = [...summary.matchAll(/<t[hd][^>]*>([^<]*)<\/t[hd]>/gu)].map((cell) => cell[1]);
    // The reset link is not counted; the account invite's hour has passed: expired.
    expect(cells).toEqual([
      "",
      "Last 7 days",
      "Last 30 days",
      "Created",
      "2",
      "2",
      "Used",
      "1",
      "1",
      "Expired",
      "1",
      "1",
    ]);
    expect(textOf(page.body, { className: "hint" })).toContain("Password reset links are not counted.");
    const alices = new ConsoleBrowser(world.server);
    await alices.logIn(world, ALICE);
    expect((await alices.get("/console")).body).not.toContain('class="summary"');
  });

  it("ignores a user's filters: they see their own invites only", async () => {
    await world.service.createContactInvite(actor(ALICE), ALICE);
    await world.service.createContactInvite(actor(BOB), BOB);
    await browser.logIn(world, ALICE);
    const page = await browser.get(`/console?inviter=${encodeURIComponent(BOB)}`);
    expect(page.body).not.toContain('class="list-filters"');
    expect(idsOn(page.body)).toEqual([(await pendingOf(ALICE))[0]?.id]);
  });
});

describe("API keys", () => {
  it("are for admins only: a user gets neither the page nor a key", async () => {
    const page = await browser.logIn(world, ALICE);
    expect(page.body).not.toContain('class="keys-link"');
    const listed = await browser.get("/console/keys");
    expect(listed.statusCode).toBe(403);
    expect(listed.body).toContain("Only administrators can manage API keys.");
    const made = await browser.post("/console/keys", { name: "mine", scope: "manage" }, { csrfFrom: page.body });
    expect(made.statusCode).toBe(403);
    expect(await world.apiKeys.list(actor(ADMIN))).toEqual([]);
  });

  it("lets an admin make a key, shown once, list and revoke it", async () => {
    const first = await browser.logIn(world, ADMIN);
    expect(first.body).toContain('class="keys-link"');
    const page = await browser.get("/console/keys");
    expect((await browser.post("/console/keys", { name: "shop", scope: "manage" })).statusCode).toBe(403);
    const made = await browser.post("/console/keys", { name: "shop", scope: "manage" }, { csrfFrom: page.body });
    expect(made.statusCode).toBe(200);
    const key = textOf(made.body, { className: "api-key-value" }) ?? "";
    expect(key).toMatch(/^xib_[A-Za-z0-9_-]{43}$/u);
    expect(textOf(made.body, { className: "keep" })).toBe("Keep it: it is not shown again.");
    expect((await world.apiKeys.authenticate(key))?.key.scope).toBe("manage");
    expect(world.logs.join("")).not.toContain(key);
    const again = await browser.get("/console/keys");
    expect(again.body).not.toContain(key);
    expect(again.body).toContain('data-name="shop"');
    const taken = await browser.post("/console/keys", { name: "shop", scope: "create" }, { csrfFrom: again.body });
    expect(taken.statusCode).toBe(409);
    const bad = await browser.post("/console/keys", { name: "Has Space", scope: "all" }, { csrfFrom: again.body });
    expect(bad.statusCode).toBe(400);
    const revoked = await browser.post("/console/keys/revoke", { name: "shop" }, { csrfFrom: again.body });
    expect(revoked.statusCode).toBe(303);
    expect(await world.apiKeys.authenticate(key)).toBeUndefined();
    expect((await browser.get("/console/keys")).body).toContain("There are no API keys yet.");
  });

  it("answers other methods on the new paths with 405", async () => {
    expect((await browser.get("/console/edit")).headers.allow).toBe("POST");
    expect((await browser.get("/console/tree/revoke")).statusCode).toBe(405);
    expect((await browser.post("/console/tree", {})).headers.allow).toBe("GET, HEAD");
  });
});
