/**
 * Password reset links in the console through Fastify's inject (docs/console.md, "Password reset links"): one call
 * of InviteService.createPasswordResetInvite with the session's actor, under the same rules as chat `reset`.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { ConsoleBrowser, type ConsoleWorld, consoleWorld } from "../../helpers/console-world.js";
import { POLICY } from "../../helpers/web-fakes.js";
import { textOf } from "../../helpers/web-form.js";

const ALICE = "alice@example.org";
const ADMIN = "admin@example.org";

let world: ConsoleWorld;
let browser: ConsoleBrowser;

beforeEach(() => {
  world = consoleWorld();
  browser = new ConsoleBrowser(world.server);
});

const pendingOf = async (jid: string) => (await world.service.listInvites(actorFor(jid, POLICY))).invites;

describe("password reset links in the console", () => {
  it("lets an admin make one for an account, and shows it at once with its link and QR codes", async () => {
    const page = await browser.logIn(world, ADMIN);
    expect(page.body).toContain('class="create-reset-link"');
    const made = await browser.post("/console/reset", { account: ` ${ALICE} ` }, { csrfFrom: page.body });
    expect(made.statusCode).toBe(200);
    expect(textOf(made.body, { className: "created" })).toContain(`Password reset link for ${ALICE}`);
    expect(made.body).toContain(`Whoever opens this link can set a new password for ${ALICE}.`);
    const link = /<a class="created-link" href="([^"]+)"/u.exec(made.body)?.[1] ?? "";
    expect(link).toMatch(/^https:\/\/invite\.example\.org\/invite\/[\w-]+$/u);
    expect(made.body).toContain('<svg class="qr"');
    const [invite] = await pendingOf(ADMIN);
    expect(invite?.kind).toBe("reset");
    expect(invite?.stored.record.additional_data?.allow_reset).toBe("alice");
    expect(made.body).toContain(`data-id="${invite?.id}"`);
    expect(world.logs.some((line) => line.includes("Password reset link created"))).toBe(true);
    expect(world.logs.join("\n")).not.toContain(link.split("/").pop() ?? "-");
  });

  it("answers the domain's refusals on the page, with the catalogue's status, and makes nothing", async () => {
    const page = await browser.logIn(world, ADMIN);
    const cases = [
      { account: "not an address", status: 400, text: "Nothing was created: give the account as user@domain." },
      {
        account: "zoe@elsewhere.org",
        status: 400,
        text: "Nothing was created: only passwords of accounts on example.org can be reset.",
      },
      {
        account: POLICY.botJid,
        status: 403,
        text: "Nothing was created: the password of the invite bot's own account cannot be reset with a link.",
      },
    ];
    for (const { account, status, text } of cases) {
      const refused = await browser.post("/console/reset", { account }, { csrfFrom: page.body });
      expect(refused.statusCode).toBe(status);
      expect(textOf(refused.body, { className: "form-error" })).toBe(text);
    }
    expect(await pendingOf(ADMIN)).toEqual([]);
  });

  it("offers a user no reset form, and refuses their POST as chat refuses `reset`", async () => {
    const page = await browser.logIn(world, ALICE);
    expect(page.body).not.toContain('class="create-reset-link"');
    const refused = await browser.post("/console/reset", { account: "bob@example.org" }, { csrfFrom: page.body });
    expect(refused.statusCode).toBe(403);
    expect(textOf(refused.body, { className: "form-error" })).toBe("You may not create this kind of invite.");
    expect(await pendingOf(ALICE)).toEqual([]);
  });

  it("needs the session's form token and our origin", async () => {
    await browser.logIn(world, ADMIN);
    const page = await browser.get("/console");
    expect((await browser.post("/console/reset", { account: ALICE })).statusCode).toBe(403);
    const foreign = await browser.post(
      "/console/reset",
      { account: ALICE },
      { csrfFrom: page.body, headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } },
    );
    expect(foreign.statusCode).toBe(403);
    expect(await pendingOf(ADMIN)).toEqual([]);
  });
});
