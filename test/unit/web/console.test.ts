/** The web console's routes through Fastify's inject (docs/console.md): logging in, the first page, its actions. */
import { beforeEach, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { ConsoleBrowser, type ConsoleWorld, consoleWorld } from "../../helpers/console-world.js";
import { POLICY } from "../../helpers/web-fakes.js";
import { textOf } from "../../helpers/web-form.js";

const ALICE = "alice@example.org";
const BOB = "bob@example.org";
const ADMIN = "admin@example.org";

let world: ConsoleWorld;
let browser: ConsoleBrowser;

beforeEach(() => {
  world = consoleWorld();
  browser = new ConsoleBrowser(world.server);
});

const actor = (jid: string) => actorFor(jid, POLICY);
const idsOn = (body: string) => [...body.matchAll(/<li class="invite" data-id="([^"]+)"/gu)].map((m) => m[1]);

describe("logging in with a link", () => {
  it("asks first, uses nothing up on GET, and starts a session on POST with a strict cookie", async () => {
    const path = await world.loginPath(ALICE);
    const first = await browser.get(path);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain(`Log in as ${ALICE}`);
    // A chat app's preview opened it too: still usable.
    expect((await new ConsoleBrowser(world.server).get(path)).statusCode).toBe(200);
    const posted = await browser.post(path, {}, { csrfFrom: first.body });
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe("/console?lang=en");
    const cookie = browser.cookies.get("console_session");
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{24}$/u);
    expect(cookie?.attributes).toBe("Path=/console; HttpOnly; SameSite=Strict; Max-Age=43200; Secure");
    const consolePage = await browser.get("/console");
    expect(textOf(consolePage.body, { className: "logged-in" })).toBe(`Logged in as ${ALICE}`);
  });

  it("answers a used, unknown or malformed link with one 404 page that says how to get a new one", async () => {
    const path = await world.loginPath(ALICE);
    const page = await browser.get(path);
    expect((await browser.post(path, {}, { csrfFrom: page.body })).statusCode).toBe(303);
    const again = await browser.post(path, {}, { csrfFrom: page.body });
    const unknown = await browser.get(`/console/login/${"A".repeat(24)}`);
    const malformed = await browser.get("/console/login/nope");
    for (const answer of [again, unknown, malformed]) {
      expect(answer.statusCode).toBe(404);
      expect(textOf(answer.body, { className: "invalid-login" })).toBe(
        "Ask the bot for a new one: send login to invites@example.org",
      );
    }
    expect((await browser.get(path)).statusCode).toBe(404);
  });

  it("refuses a POST without the form token or from another site, and the link stays usable", async () => {
    const path = await world.loginPath(ALICE);
    const page = await browser.get(path);
    expect((await browser.post(path, {})).statusCode).toBe(403);
    const crossSite = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };
    expect((await browser.post(path, {}, { csrfFrom: page.body, headers: crossSite })).statusCode).toBe(403);
    expect(browser.cookies.has("console_session")).toBe(false);
    expect((await browser.post(path, {}, { csrfFrom: page.body })).statusCode).toBe(303);
  });

  it("forgets a session after 12 hours without a request", async () => {
    await browser.logIn(world, ALICE);
    world.advanceMs(11 * 3600_000);
    expect((await browser.get("/console")).body).toContain("Logged in as");
    world.advanceMs(11 * 3600_000);
    expect((await browser.get("/console")).body).toContain("Logged in as");
    world.advanceMs(12 * 3600_000 + 1000);
    expect((await browser.get("/console")).body).toContain('class="ask-link"');
  });
});

describe("without a session", () => {
  it("shows the form that has a link sent, and answers every address alike", async () => {
    const page = await browser.get("/console");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('class="ask-link"');
    const answers = [];
    for (const address of [ALICE, "nobody@example.org", "eve@other.example", "not an address", ADMIN]) {
      const answer = await browser.post("/console/link", { address }, { csrfFrom: page.body });
      expect(answer.statusCode).toBe(200);
      answers.push(textOf(answer.body, { className: "link-sent" })?.replace(address, "ADDRESS"));
    }
    expect(new Set(answers)).toEqual(new Set(["If ADDRESS is an account here, a login link is on its way to it."]));
    // Sent asynchronously, after the answer: to accounts of the domain only.
    await expect.poll(() => world.sent.map(({ to }) => to).sort()).toEqual([ADMIN, ALICE, "nobody@example.org"]);
    const link = world.sent.find(({ to }) => to === ALICE)?.link;
    expect(link?.validSeconds).toBe(600);
    const opened = await browser.get(new URL(link?.url ?? "").pathname);
    expect(opened.body).toContain(`Log in as ${ALICE}`);
  });

  it("sends at most 3 links to one address in 10 minutes, and refuses the form without its token", async () => {
    const page = await browser.get("/console");
    expect((await browser.post("/console/link", { address: BOB })).statusCode).toBe(403);
    for (let i = 0; i < 5; i += 1) await browser.post("/console/link", { address: BOB }, { csrfFrom: page.body });
    await expect.poll(() => world.logs.join("")).toContain("over their limit");
    expect(world.sent.filter(({ to }) => to === BOB)).toHaveLength(3);
  });

  it("refuses the console's actions with the login form, and other methods with 405", async () => {
    const created = await world.service.createContactInvite(actor(ALICE), ALICE);
    const revoke = await browser.post("/console/revoke", { id: "whatever" });
    expect(revoke.body).toContain('class="ask-link"');
    expect((await world.service.listInvites(actor(ALICE))).total).toBe(1);
    expect(created.invite.token).toBeTruthy();
    const wrong = await browser.get("/console/logout");
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe("POST");
  });
});

describe("the console's first page", () => {
  it("lists only the user's own pending invites, with kind, uses, note and a Revoke button", async () => {
    await world.service.createContactInvite(actor(ALICE), ALICE);
    await world.service.createAccountInvite(actor(ADMIN), ADMIN, { maxUses: 3, note: "for the <club>" });
    await world.service.createContactInvite(actor(BOB), BOB);
    const mine = await browser.logIn(world, ALICE);
    expect(idsOn(mine.body)).toHaveLength(1);
    expect(mine.body).toContain("Contact invite");
    expect(mine.body).not.toContain('class="create-account-invite"');
    const admin = new ConsoleBrowser(world.server);
    const all = await admin.logIn(world, ADMIN);
    expect(idsOn(all.body)).toHaveLength(3);
    expect(all.body).toContain("3 of 3 uses left");
    expect(all.body).toContain("Note: for the &lt;club&gt;");
    expect(all.body).toContain('class="create-account-invite"');
  });

  it("shows who joined through the user's invites", async () => {
    world.store.recordUse(ALICE, "carol@example.org");
    world.store.recordUse(BOB, "dave@example.org");
    const page = await browser.logIn(world, ALICE);
    expect(textOf(page.body, { className: "joiners" })).toBe("carol@example.org");
    expect(page.body).not.toContain("dave@example.org");
  });

  it("creates a contact invite and shows its link and QR codes, then lists it", async () => {
    const page = await browser.logIn(world, ALICE);
    const created = await browser.post("/console/invites", { kind: "contact" }, { csrfFrom: page.body });
    expect(created.statusCode).toBe(200);
    const url = textOf(created.body, { className: "created-link" }) ?? "";
    expect(url).toMatch(/^https:\/\/invite\.example\.org\/invite\/[A-Za-z0-9_-]{24}$/u);
    expect(created.body.match(/<svg class="qr"/gu)).toHaveLength(2);
    expect(idsOn(created.body)).toHaveLength(1);
    const listed = await world.service.listInvites(actor(ALICE));
    expect(listed.invites.map((invite) => invite.kind)).toEqual(["contact"]);
  });

  it("creates an account invite for an admin with lifetime, uses and note, and refuses it to others", async () => {
    const page = await new ConsoleBrowser(world.server).logIn(world, ADMIN);
    const admin = browser;
    await admin.logIn(world, ADMIN);
    const fields = { kind: "account", ttl: "3600", uses: "5", note: "book club" };
    const created = await admin.post("/console/invites", fields, { csrfFrom: (await admin.get("/console")).body });
    expect(created.statusCode).toBe(200);
    expect(created.body).toContain("5 of 5 uses left");
    const [invite] = (await world.service.listInvites(actor(ADMIN))).invites;
    expect(invite?.note).toBe("book club");
    expect(invite?.expires).toBe(Date.UTC(2026, 10, 27, 12) / 1000 + 3600);
    const wrong = await admin.post("/console/invites", { ...fields, uses: "500" }, { csrfFrom: created.body });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(wrong.body, { className: "form-error" })).toContain("Nothing was created");
    const user = new ConsoleBrowser(world.server);
    const userPage = await user.logIn(world, ALICE);
    const refused = await user.post("/console/invites", fields, { csrfFrom: userPage.body });
    expect(refused.statusCode).toBe(403);
    expect(textOf(refused.body, { className: "form-error" })).toBe("You may not create this kind of invite.");
    expect((await world.service.listInvites(actor(ADMIN))).total).toBe(1);
    expect(page.statusCode).toBe(200);
  });

  it("revokes the user's own invite, never another user's, and never without the form token", async () => {
    const own = await world.service.createContactInvite(actor(ALICE), ALICE);
    await world.service.createContactInvite(actor(BOB), BOB);
    const bobsId = (await world.service.listInvites(actor(BOB))).invites[0]?.id ?? "";
    const page = await browser.logIn(world, ALICE);
    const [ownId = ""] = idsOn(page.body);
    expect(own.invite.token).toBeTruthy();
    expect((await browser.post("/console/revoke", { id: ownId })).statusCode).toBe(403);
    const other = await browser.post("/console/revoke", { id: bobsId }, { csrfFrom: page.body });
    expect(other.statusCode).toBe(404);
    expect(textOf(other.body, { className: "form-error" })).toContain("None of your pending invites has that id");
    expect((await world.service.listInvites(actor(BOB))).total).toBe(1);
    const revoked = await browser.post("/console/revoke", { id: ownId }, { csrfFrom: page.body });
    expect(revoked.statusCode).toBe(303);
    expect(idsOn((await browser.get("/console")).body)).toEqual([]);
  });

  it("refuses a form token of another session", async () => {
    await world.service.createContactInvite(actor(ALICE), ALICE);
    const page = await browser.logIn(world, ALICE);
    const other = new ConsoleBrowser(world.server);
    const otherPage = await other.logIn(world, ALICE);
    const [id = ""] = idsOn(page.body);
    expect((await browser.post("/console/revoke", { id }, { csrfFrom: otherPage.body })).statusCode).toBe(403);
    expect((await world.service.listInvites(actor(ALICE))).total).toBe(1);
  });
});

describe("logging out", () => {
  it("ends this session with the button, and every session with chat logout", async () => {
    const page = await browser.logIn(world, ALICE);
    const out = await browser.post("/console/logout", {}, { csrfFrom: page.body });
    expect(out.statusCode).toBe(303);
    expect(browser.cookies.has("console_session")).toBe(false);
    expect((await browser.get("/console")).body).toContain('class="ask-link"');

    const phone = new ConsoleBrowser(world.server);
    const laptop = new ConsoleBrowser(world.server);
    await phone.logIn(world, ALICE);
    await laptop.logIn(world, ALICE);
    const stolen = laptop.cookies.get("console_session")?.value ?? "";
    expect(await world.access.logOutEverywhere(actor(ALICE))).toBe(2);
    for (const each of [phone, laptop]) expect((await each.get("/console")).body).toContain('class="ask-link"');
    const replayed = await world.server.inject({ url: "/console", headers: { cookie: `console_session=${stolen}` } });
    expect(replayed.body).toContain('class="ask-link"');
  });
});

describe("who gets a link", () => {
  it("gives one to users of the domain and admins, and refuses everyone else", async () => {
    await expect(world.access.loginLink(actor("eve@other.example"))).rejects.toMatchObject({ code: "not-local-user" });
    expect((await world.access.loginLink(actor(ALICE)))?.url).toMatch(/\/console\/login\/[A-Za-z0-9_-]{24}$/u);
  });
});
