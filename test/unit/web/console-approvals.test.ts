/**
 * Accounts waiting for approval in the web console (APPROVE_USER_INVITED; docs/console.md, "Approvals") through
 * Fastify's inject: admins see them and answer with a button (the same domain call as chat `approve`/`reject`, the
 * inviter told the same way), with the form token; anyone else gets the catalogue's 403.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { ApprovalStore, HeldAccount } from "../../../src/invites/approvals.js";
import { ConsoleBrowser, type ConsoleWorld, consoleWorld } from "../../helpers/console-world.js";
import { FakeAccounts } from "../../helpers/fake-accounts.js";

const ADMIN = "admin@example.org";
const HELD: HeldAccount = {
  jid: "newbie@example.org",
  inviter: "alice@example.org",
  invite: "AbCd1234",
  at: Date.UTC(2026, 10, 27, 11, 30) / 1000,
  way: "disabled",
};

let world: ConsoleWorld;
let browser: ConsoleBrowser;
let held: Map<string, HeldAccount>;
let accounts: FakeAccounts;
let told: string[];

beforeEach(() => {
  held = new Map([[HELD.jid, HELD]]);
  accounts = new FakeAccounts();
  told = [];
  const store: ApprovalStore = {
    list: async () => [...held.values()],
    get: async (jid) => held.get(jid),
    registration: async () => undefined,
    hold: async () => {},
    remove: async (jid) => held.delete(jid),
  };
  const tell = async (inviter: string, jid: string, approved: boolean) =>
    void told.push(`${inviter} ${jid} ${approved}`);
  world = consoleWorld({ held: { accounts, approvals: { store, maker: undefined, tell } } });
  browser = new ConsoleBrowser(world.server);
});

describe("the accounts waiting for approval in the console", () => {
  it("are listed for an admin, linked from the first page, and approved with a button", async () => {
    await browser.logIn(world, ADMIN);
    expect((await browser.get("/console")).body).toContain('class="approvals-link"');
    const page = await browser.get("/console/approvals");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<li class="held-account" data-jid="newbie@example.org"><h3>newbie@example.org</h3>');
    expect(page.body).toContain("Registered through alice@example.org&#39;s invite, 2026-11-27 11:30 UTC");
    const answered = await browser.post(
      "/console/approvals",
      { jid: HELD.jid, answer: "approve" },
      { csrfFrom: page.body },
    );
    expect(answered.statusCode).toBe(200);
    expect(answered.body).toContain(
      "Approved newbie@example.org: the account can log in now, and its inviter was told.",
    );
    expect(answered.body).toContain("No account is waiting for approval.");
    expect(accounts.calls).toEqual(["enable newbie@example.org"]);
    expect(told).toEqual(["alice@example.org newbie@example.org true"]);
  });

  it("rejects with a button, and says when there is nothing to answer", async () => {
    await browser.logIn(world, ADMIN);
    const page = await browser.get("/console/approvals?lang=de");
    expect(page.body).toContain("Konten, die auf Freigabe warten");
    const rejected = await browser.post(
      "/console/approvals?lang=de",
      { jid: HELD.jid, answer: "reject" },
      { csrfFrom: page.body },
    );
    expect(rejected.body).toContain("newbie@example.org abgelehnt");
    expect(accounts.calls).toEqual(["remove newbie@example.org"]);
    const again = await browser.post(
      "/console/approvals?lang=de",
      { jid: HELD.jid, answer: "reject" },
      { csrfFrom: page.body },
    );
    expect(again.body).toContain("Für newbie@example.org wurde nichts getan");
    expect(told).toEqual(["alice@example.org newbie@example.org false"]);
  });

  it("are for admins only, and answered only with the form token", async () => {
    await browser.logIn(world, "alice@example.org");
    expect((await browser.get("/console")).body).not.toContain('class="approvals-link"');
    const refused = await browser.get("/console/approvals");
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain("newbie@example.org");
    const page = await browser.get("/console");
    const post = await browser.post(
      "/console/approvals",
      { jid: HELD.jid, answer: "approve" },
      { csrfFrom: page.body },
    );
    expect(post.statusCode).toBe(403);
    expect(accounts.calls).toEqual([]);

    await browser.logIn(world, ADMIN);
    const forged = await browser.post("/console/approvals", { jid: HELD.jid, answer: "approve" });
    expect(forged.statusCode).toBeGreaterThanOrEqual(400);
    expect(accounts.calls).toEqual([]);
    expect(held.has(HELD.jid)).toBe(true);
  });
});
