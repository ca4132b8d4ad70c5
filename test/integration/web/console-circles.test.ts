/**
 * Circles and reset links in the console against the private Prosody + Redis, with the real bot serving it
 * (docs/console.md, "Circles", "Password reset links"): an admin creates a circle on the circles' page, adds a member,
 * and makes an account invite into it on the first page; someone registers in-band with it and is in the circle
 * and the member's contact (our Prosody module does the joining). A reset link made on the page opens its page.
 * Nothing here is Prosody-side code of this part; it runs on whichever Prosody is on PATH (0.12 and 13).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type TestBot } from "../../helpers/bot.js";
import { ConsoleVisitor } from "../../helpers/console-visitor.js";
import { uniqueName } from "../../helpers/names.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { textOf } from "../../helpers/web-form.js";
import { connectUser, type TestUser } from "../../helpers/xmpp-user.js";

const HOST = "localhost";
const ADMIN = `admin@${HOST}`;

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let webUrl: string;
let visitor: ConsoleVisitor;
let first: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot((web) => world.startBot("bot", { ...web, REGISTRATION: "auto" }), "server"));
  [admin] = await world.loginAll([ADMIN]);
  const reply = (await admin.ask(bot.jid, "login")).getChildText("body") ?? "";
  const link = new RegExp(`${webUrl}/console/login/[A-Za-z0-9_-]{24}`, "u").exec(reply)?.[0] ?? "";
  visitor = new ConsoleVisitor(webUrl);
  const confirm = await visitor.get(link);
  const posted = await visitor.post(new URL(link).pathname, confirm.body);
  first = (await visitor.get(posted.location ?? "")).body;
  expect(textOf(first, { className: "logged-in" })).toBe(`Logged in as ${ADMIN}`);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

/** The roster of `name@localhost` (RFC 6121 §2.1.3): JID → its groups. */
async function groupsInRoster(name: string, password: string): Promise<Record<string, string[]>> {
  const user = await connectUser({ service: world.servers.service, domain: HOST, username: name, password });
  try {
    const query = await user.roster();
    return Object.fromEntries(
      query
        .getChildren("item")
        .map((item) => [item.attrs.jid as string, item.getChildren("group").map((g) => g.text())]),
    );
  } finally {
    await user.stop();
  }
}

describe("circles in the console with the real bot", () => {
  it("makes a circle, adds a member, and invites a newcomer into it who registers and is in it", async () => {
    expect(first).not.toContain("circles-link");
    const member = uniqueName("member");
    await world.servers.prosody.register(member, HOST, `${member}-password`);
    const name = uniqueName("Garden");

    const page = await visitor.get("/console/circles");
    expect(page.status).toBe(200);
    const made = await visitor.post("/console/circles", page.body, { name });
    expect(textOf(made.body, { className: "done" })).toBe(`Created the circle ${name}.`);
    const id = /<li class="circle" data-id="([\w-]{12})"/u.exec(made.body)?.[1] ?? "";
    expect(id).toHaveLength(12);
    const added = await visitor.post("/console/circles/add", made.body, { circle: id, jid: `${member}@${HOST}` });
    expect(textOf(added.body, { className: "done" })).toBe(`Added ${member}@${HOST} to ${name}.`);

    const home = await visitor.get("/console");
    expect(home.body).toContain('class="circles-link"');
    expect(home.body).toContain(`name="circles" value="${id}"`);
    const invited = await visitor.post("/console/invites", home.body, {
      kind: "account",
      ttl: "86400",
      uses: "1",
      circles: id,
    });
    expect(invited.status).toBe(200);
    expect(invited.body).toContain(`Circles: ${name}`);
    const token = (textOf(invited.body, { className: "created-link" }) ?? "").split("/").pop() ?? "";

    const newcomer = uniqueName("newcomer");
    expect((await world.registerWithInvite(token, newcomer)).register.attrs.type).toBe("result");
    // Prosody's module joins the circles in a runner of its own, which may finish after the registration's answer.
    await eventually(async () => {
      expect((await bot.app.storage.circles.find(id))?.members).toEqual(
        [`${member}@${HOST}`, `${newcomer}@${HOST}`].sort(),
      );
      expect((await groupsInRoster(newcomer, `${newcomer}-pw`))[`${member}@${HOST}`]).toEqual([name]);
    }, 20_000);
    await eventually(async () => {
      const listed = await visitor.get("/console/circles");
      expect(listed.body).toContain(`<span class="account">${newcomer}@${HOST}</span>`);
    });
  });

  it("makes a password reset link on the first page whose page opens for that account", async () => {
    const account = uniqueName("forgetful");
    await world.servers.prosody.register(account, HOST, `${account}-password`);
    const made = await visitor.post("/console/reset", first, { account: `${account}@${HOST}` });
    expect(made.status).toBe(200);
    expect(made.body).toContain(`Password reset link for ${account}@${HOST}`);
    const link = textOf(made.body, { className: "created-link" }) ?? "";
    expect(link.startsWith(`${webUrl}/invite/`)).toBe(true);
    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain(`${account}@${HOST}`);
  });
});
