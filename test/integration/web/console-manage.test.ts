/**
 * The console's second part against the private Prosody + Redis, with the real bot serving it (docs/console.md):
 * an admin edits an invite's uses on the page and one more account registers in-band with it, revokes the pending
 * invites of a whole invite tree, and makes an API key that then lists invites at /api/v1/invites. Nothing here is
 * Prosody-side; it runs on whichever Prosody is on PATH (0.12 and 13).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actorFor } from "../../../src/invites/permissions.js";
import { eventually, type TestBot } from "../../helpers/bot.js";
import { ConsoleVisitor } from "../../helpers/console-visitor.js";
import { type Scenario, startScenario } from "../../helpers/scenario.js";
import { startWebBot } from "../../helpers/web-bot.js";
import { textOf } from "../../helpers/web-form.js";
import type { TestUser } from "../../helpers/xmpp-user.js";

const ADMIN = "admin@localhost";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let webUrl: string;
let visitor: ConsoleVisitor;
let first: string;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  ({ bot, webUrl } = await startWebBot(
    // Trees of accounts made a moment ago: the account-age rule (user-invite-policy.test.ts) is off here.
    (web) =>
      world.startBot("bot", {
        ...web,
        ALLOW_USER_INVITES: "true",
        REGISTRATION: "auto",
        INVITE_MIN_ACCOUNT_AGE: "0",
        INVITE_CHAIN_PACE: "0",
      }),
    "server",
  ));
  [admin] = await world.loginAll([ADMIN]);
  const reply = (await admin.ask(bot.jid, "login")).getChildText("body") ?? "";
  const link = new RegExp(`${webUrl}/console/login/[A-Za-z0-9_-]{24}`, "u").exec(reply)?.[0] ?? "";
  visitor = new ConsoleVisitor(webUrl);
  const confirm = await visitor.get(link);
  const posted = await visitor.post(new URL(link).pathname, confirm.body);
  first = (await visitor.get(posted.location ?? "")).body;
  expect(textOf(first, { className: "logged-in" })).toBe(`Logged in as ${ADMIN}`);
});

afterAll(async () => {
  await world?.stop();
});

const actor = (jid: string) => actorFor(jid, bot.app.service.policy);
const pendingOf = async (jid: string) => (await bot.app.service.listInvites(actor(jid), { inviter: jid })).invites;

async function register(token: string, name: string): Promise<string | undefined> {
  return (await world.registerWithInvite(token, name)).register.attrs.type;
}

describe("the console's second part with the real bot", () => {
  it("edits an invite's uses on the page, and one more account registers in-band with it", async () => {
    const made = await visitor.post("/console/invites", first, { kind: "account", ttl: "86400", uses: "2" });
    expect(made.status).toBe(200);
    const token = (textOf(made.body, { className: "created-link" }) ?? "").split("/").pop() ?? "";
    const [invite] = await pendingOf(ADMIN);
    expect(invite?.maxUses).toBe(2);
    expect(await register(token, "dana1")).toBe("result");
    const edited = await visitor.post("/console/edit", made.body, { id: invite?.id ?? "", uses: "3" });
    expect(edited.status).toBe(303);
    expect((await pendingOf(ADMIN))[0]?.maxUses).toBe(3);
    expect(await register(token, "dana2")).toBe("result");
    // The third account: one more than the invite was made for.
    expect(await register(token, "dana3")).toBe("result");
    expect(await pendingOf(ADMIN)).toEqual([]);
  });

  it("revokes every pending invite of a tree after asking, and leaves other trees alone", async () => {
    const tree = await eventually(async () => {
      const page = await visitor.get(`/console/tree?jid=${encodeURIComponent(ADMIN)}`);
      for (const name of ["dana1", "dana3"]) expect(page.body).toContain(`${name}@localhost`);
      return page.body;
    });
    for (const jid of ["dana1@localhost", "dana3@localhost"]) {
      await bot.app.service.createContactInvite(actor(jid), jid);
    }
    await bot.app.service.createContactInvite(actor("bob@localhost"), "bob@localhost");
    const asked = await visitor.post("/console/tree/revoke", tree, { jid: ADMIN });
    expect(asked.status).toBe(200);
    expect(await pendingOf("dana1@localhost")).toHaveLength(1);
    const done = await visitor.post("/console/tree/revoke", asked.body, { jid: ADMIN, confirm: "yes" });
    expect(done.status).toBe(200);
    expect(textOf(done.body, { className: "done" })).toBe("2 pending invites revoked. 4 accounts in the tree.");
    expect(await pendingOf("dana1@localhost")).toEqual([]);
    expect(await pendingOf("dana3@localhost")).toEqual([]);
    expect(await pendingOf("bob@localhost")).toHaveLength(1);
  });

  it("makes an API key on the page that lists invites at /api/v1/invites", async () => {
    await bot.app.service.createContactInvite(actor(ADMIN), ADMIN);
    const page = await visitor.get("/console/keys");
    expect(page.status).toBe(200);
    const made = await visitor.post("/console/keys", page.body, { name: "console-ci", scope: "manage" });
    expect(made.status).toBe(200);
    const key = textOf(made.body, { className: "api-key-value" }) ?? "";
    expect(key).toMatch(/^xib_[A-Za-z0-9_-]{43}$/u);
    const listed = await fetch(`${webUrl}/api/v1/invites`, { headers: { authorization: `Bearer ${key}` } });
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { invites: { kind: string }[] };
    expect(body.invites.length).toBeGreaterThan(0);
    expect(bot.logs.join("")).not.toContain(key);
    // Only the key's hash is in Redis.
    const keys = (await world.redis.keys("invite:{localhost}:*")).join(" ");
    expect(keys).not.toContain(key);
  });
});
