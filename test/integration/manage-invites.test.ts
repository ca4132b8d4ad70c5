/** Listing and revoking pending invites (issue #4 point 3), ad-hoc and chat, with their permissions. */
import { type Element, xml } from "@xmpp/xml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTACT_INVITE_NODE as CONTACT } from "../../src/commands/invite-commands.js";
import { LIST_INVITES_NODE as LIST, REVOKE_INVITES_NODE as REVOKE } from "../../src/commands/manage-commands.js";
import { inviteId } from "../../src/invites/pending.js";
import { actorFor } from "../../src/invites/permissions.js";
import { recordKey } from "../../src/storage/keys.js";
import { tokenHash } from "../../src/storage/record.js";
import { errorOf, executeIq, formValues, NS_COMMANDS } from "../helpers/adhoc-client.js";
import type { TestBot } from "../helpers/bot.js";
import { registerWithToken } from "../helpers/ibr-client.js";
import { type Scenario, startScenario } from "../helpers/scenario.js";
import type { TestUser } from "../helpers/xmpp-user.js";

let world: Scenario;
let bot: TestBot;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startScenario({ inviteModule: true });
  bot = await world.startBot("bot", { ALLOW_USER_INVITES: "true" });
  [admin, alice, bob] = await world.loginAll(["admin@localhost", "alice@localhost", "bob@localhost"]);
});

afterAll(async () => {
  await world?.stop();
});

/** The text of the bot's answer to `body`: in the thread it was asked in, never a use notice (those come on their own). */
async function ask(user: TestUser, body: string): Promise<string> {
  return (await user.ask(bot.jid, body)).getChildText("body") ?? "";
}

async function contactInvite(user: TestUser): Promise<string> {
  const uri = formValues((await user.requestRaw(executeIq(bot.jid, CONTACT))).getChild("command")?.getChild("x")).uri;
  return /preauth=([\w-]{24})/u.exec(uri ?? "")?.[1] ?? "";
}

function command(attrs: Record<string, string>, ...children: Element[]): Element {
  return xml("iq", { type: "set", to: bot.jid }, xml("command", { xmlns: NS_COMMANDS, ...attrs }, ...children));
}

/** The rows of a listing's result table. */
async function listed(user: TestUser): Promise<Record<string, string>[]> {
  const reply = await user.requestRaw(command({ node: LIST, action: "complete" }));
  const form = reply.getChild("command", NS_COMMANDS)?.getChild("x");
  return (form?.getChildren("item") ?? []).map((item) =>
    Object.fromEntries(item.getChildren("field").map((f) => [f.attrs.var, f.getChildText("value") ?? ""])),
  );
}

function idsIn(text: string): string[] {
  return [...text.matchAll(/^• ([\w-]{8}) /gmu)].map((m) => m[1] ?? "");
}

describe("listing", () => {
  it("shows a user their own pending invites, by short id and never by token", async () => {
    const token = await contactInvite(alice);
    await contactInvite(bob);
    const rows = await listed(alice);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "contact invite, may register", uses: "once" });
    expect(rows[0]?.id).toMatch(/^[\w-]{8}$/u);
    expect(JSON.stringify(rows)).not.toContain(token);
    const text = await ask(alice, "invites");
    expect(text).toMatch(
      /^Your pending invites \(1\):\n• [\w-]{8} — contact invite, may register — expires in 1 week\n/u,
    );
    expect(text).not.toContain(token);
    expect(idsIn(text)).toEqual([rows[0]?.id]);
  });

  it("shows an admin everyone's, and one inviter's on request", async () => {
    const all = await listed(admin);
    expect(new Set(all.map((r) => r.inviter))).toEqual(new Set(["alice@localhost", "bob@localhost"]));
    const text = await ask(admin, "invites of Bob@localhost");
    expect(text).toContain("by bob@localhost");
    expect(text).not.toContain("by alice@localhost");
  });

  it("drops invites once they are used", async () => {
    const token = await contactInvite(alice);
    const before = await listed(alice);
    const port = world.servers.prosody.port;
    await registerWithToken({ port, domain: "localhost", token, username: "usedup", password: "pw-123456" });
    expect(await listed(alice)).toHaveLength(before.length - 1);
  });
});

describe("revoking", () => {
  it("lets a user revoke their own invite, which then cannot be used", async () => {
    const token = await contactInvite(alice);
    const id = inviteId(token);
    expect(idsIn(await ask(alice, "invites"))).toContain(id);
    expect(await ask(alice, `revoke ${id}`)).toBe(`Revoked invite ${id} (contact invite, may register).`);
    expect(await world.redis.exists(recordKey("localhost", tokenHash(token)))).toBe(0);
    const port = world.servers.prosody.port;
    const attempt = await registerWithToken({
      port,
      domain: "localhost",
      token,
      username: "toolate",
      password: "pw-123456",
    });
    expect(errorOf(attempt.preauth)).toMatchObject({ condition: "forbidden" });
  });

  it("does not let a user see or revoke someone else's invite", async () => {
    const bobsId = idsIn(await ask(bob, "invites"))[0] ?? "";
    expect(bobsId).not.toBe("");
    expect(idsIn(await ask(alice, "invites"))).not.toContain(bobsId);
    expect(await ask(alice, `revoke ${bobsId}`)).toBe(
      'Sorry, none of your pending invites has that id. Send "invites" to see them.',
    );
    expect(await ask(alice, "revoke all of bob@localhost")).toBe(
      "Sorry, only administrators can revoke another user's invites.",
    );
    expect(idsIn(await ask(bob, "invites"))).toContain(bobsId);
  });

  it("lets a user revoke through the ad-hoc form", async () => {
    await contactInvite(alice);
    const first = (await alice.requestRaw(command({ node: REVOKE, action: "execute" }))).getChild(
      "command",
      NS_COMMANDS,
    );
    const field = first
      ?.getChild("x")
      ?.getChildren("field")
      .find((f) => f.attrs.var === "invites");
    const options = field?.getChildren("option").map((o) => o.getChildText("value") ?? "") ?? [];
    expect(options.length).toBeGreaterThan(0);
    expect(
      first
        ?.getChild("x")
        ?.getChildren("field")
        .map((f) => f.attrs.var),
    ).toEqual(["invites"]);
    const submit = xml(
      "x",
      { xmlns: "jabber:x:data", type: "submit" },
      xml("field", { var: "invites" }, ...options.map((id) => xml("value", {}, id))),
    );
    const done = (
      await alice.requestRaw(
        command({ node: REVOKE, action: "complete", sessionid: first?.attrs.sessionid ?? "" }, submit),
      )
    ).getChild("command", NS_COMMANDS);
    expect(done?.attrs.status).toBe("completed");
    expect(done?.getChildText("note")).toBe(
      options.length === 1 ? "Revoked 1 invite." : `Revoked ${options.length} invites.`,
    );
    expect(await listed(alice)).toEqual([]);
  });

  it("lets an admin revoke any invite, and all of one user's", async () => {
    await contactInvite(bob);
    const bobs = (await listed(admin)).filter((r) => r.inviter === "bob@localhost");
    expect(bobs.length).toBeGreaterThanOrEqual(2);
    expect(await ask(admin, `revoke ${bobs[0]?.id}`)).toMatch(/^Revoked invite /u);
    expect(await ask(admin, "revoke all of bob@localhost")).toBe(
      `Revoked ${bobs.length - 1} pending invite${bobs.length - 1 === 1 ? "" : "s"} of bob@localhost.`,
    );
    expect(await ask(bob, "invites")).toBe("There are no pending invites.");
  });
});

describe("paging, for admins with many invites", () => {
  let tokens: string[] = [];

  beforeAll(async () => {
    // 30 account invites of the admin, made through the same service the commands use.
    const actor = actorFor("admin@localhost", bot.app.service.policy);
    tokens = [];
    for (let i = 0; i < 30; i += 1) {
      const created = await bot.app.service.createAccountInvite(actor, "admin@localhost/seed", { note: `seed ${i}` });
      tokens.push(created.invite.token);
    }
  });

  it("shows 25 in chat, says how many more and how to see them", async () => {
    const first = await ask(admin, "invites of admin@localhost");
    expect(first).toMatch(/^Pending invites \(1–25 of 30\):\n/u);
    expect(idsIn(first)).toHaveLength(25);
    expect(first).toContain('5 more: say "invites of admin@localhost page 2".');
    const second = await ask(admin, "invites of admin@localhost page 2");
    expect(second).toMatch(/^Pending invites \(26–30 of 30\):\n/u);
    expect(new Set([...idsIn(first), ...idsIn(second)])).toEqual(new Set(tokens.map(inviteId)));
    expect(await ask(admin, "invites of admin@localhost page 3")).toBe(
      "There are only 30 pending invites; that page is past the end.",
    );
  });

  it("offers the next page in the ad-hoc table (XEP-0050 next), then completes", async () => {
    const ask1 = await admin.requestRaw(command({ node: LIST, action: "execute" }));
    const sessionid = ask1.getChild("command", NS_COMMANDS)?.attrs.sessionid ?? "";
    const filter = xml(
      "x",
      { xmlns: "jabber:x:data", type: "submit" },
      xml("field", { var: "inviter" }, xml("value", {}, "admin@localhost")),
    );
    const page1 = (await admin.requestRaw(command({ node: LIST, action: "complete", sessionid }, filter))).getChild(
      "command",
      NS_COMMANDS,
    );
    expect(page1?.attrs.status).toBe("executing");
    expect(page1?.getChild("actions")?.attrs.execute).toBe("next");
    expect(page1?.getChild("x")?.getChildren("item")).toHaveLength(25);
    const page2 = (await admin.requestRaw(command({ node: LIST, action: "next", sessionid }))).getChild(
      "command",
      NS_COMMANDS,
    );
    expect(page2?.attrs.status).toBe("completed");
    expect(page2?.getChild("x")?.getChildren("item")).toHaveLength(5);
  });

  it("revokes an invite beyond the first page by the id typed into the form", async () => {
    const form = (await admin.requestRaw(command({ node: REVOKE, action: "execute" }))).getChild(
      "command",
      NS_COMMANDS,
    );
    const vars = form
      ?.getChild("x")
      ?.getChildren("field")
      .map((f) => f.attrs.var);
    expect(vars).toEqual(["invites", "ids", "inviter"]);
    const listedIds = form
      ?.getChild("x")
      ?.getChildren("field")[0]
      ?.getChildren("option")
      .map((o) => o.getChildText("value"));
    const beyond = tokens.map(inviteId).find((id) => !listedIds?.includes(id)) ?? "";
    expect(beyond).not.toBe("");
    const submit = xml(
      "x",
      { xmlns: "jabber:x:data", type: "submit" },
      xml("field", { var: "ids" }, xml("value", {}, beyond)),
    );
    const done = (
      await admin.requestRaw(
        command({ node: REVOKE, action: "complete", sessionid: form?.attrs.sessionid ?? "" }, submit),
      )
    ).getChild("command", NS_COMMANDS);
    expect(done?.getChildText("note")).toBe("Revoked 1 invite.");
    expect(await bot.app.store.findById(beyond)).toEqual([]);
  });
});
